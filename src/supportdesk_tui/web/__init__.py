"""`supportdesk web`: the agent app in a browser, served on loopback through textual-serve.

textual-serve starts one app process per browser connection (`supportdesk web --session`); each
signs in on the app's own sign-in screen and keeps its token in that process's memory only.
"""
