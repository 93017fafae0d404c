"""Routes for attachments: upload the bytes, then a message claims them; download what you may see."""

from typing import Annotated
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Request, Response

from supportdesk_tui.contract.models import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_NAME_MAX_LENGTH,
    MAX_ID,
    Attachment,
)
from supportdesk_tui.server.attachments import AttachmentDesk
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep, run_post_hook
from supportdesk_tui.server.idempotency import effect_response

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
UPLOAD_PATH = "/api/v1/uploads"
# The raw name may be longer than the stored one (it is cut with its extension kept), not unbounded.
RAW_NAME_MAX = 4 * ATTACHMENT_NAME_MAX_LENGTH

AttachmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="Attachment id.")]


@router.post(
    "/uploads",
    response_model=Attachment,
    status_code=201,
    tags=["attachments"],
    summary="Upload a file for a message to claim",
    description=(
        f"The body is the file's bytes (any Content-Type; it is not trusted), at most "
        f"{ATTACHMENT_MAX_BYTES // (1024 * 1024)} MiB. The type is sniffed from the bytes and the name "
        "sanitised. Only the uploader sees the upload until a message claims it through "
        "`attachment_ids` (`POST /tickets` or `POST /tickets/{id}/messages`); unclaimed uploads go "
        "after a day."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload(
    request: Request,
    service: ServiceDep,
    caller: CallerDep,
    name: Annotated[str, Query(min_length=1, max_length=RAW_NAME_MAX, description="The file's name.")],
) -> Response:
    data = await request.body()
    desk = AttachmentDesk(service)

    def work() -> Response:
        run_post_hook(request)
        return effect_response(service.store, Attachment, 201, lambda: desk.upload(caller, name, data))

    return await anyio.to_thread.run_sync(work)


@router.get(
    "/attachments/{attachment_id}",
    tags=["attachments"],
    summary="Download an attachment (callers who may read its ticket)",
    response_class=Response,
    responses={200: {
        "description": "The file's bytes, with the sniffed Content-Type.",
        # Whatever the bytes were sniffed as (image/png, application/pdf, text/plain, ...).
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }},
)
async def download(attachment_id: AttachmentId, service: ServiceDep, caller: CallerDep) -> Response:
    got = await anyio.to_thread.run_sync(AttachmentDesk(service).download, caller, attachment_id)
    record = got.attachment
    headers = {
        # Never rendered in place by anything that reads these headers; the name as stored (sanitised).
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(record.name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return Response(got.data, media_type=record.content_type, headers=headers)
