"""Group-chat robots (群机器人) of DingTalk and WeCom: build the payload, POST it, never raise.

Both accept {"msgtype": "text", "text": {"content": ...}}; DingTalk also reads an "at" block.
A robot that is down or misconfigured must not stop the reminder run, so `webhook_post`
returns (ok, status_code, detail) and the caller records it as a Delivery row.
"""

import json
import logging
import urllib.error
import urllib.request

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
# Robots cut long texts; DingTalk's limit is about 20,000 bytes, WeCom's 2,048 bytes.
MAX_CONTENT = {"dingtalk": 6000, "wecom": 2000}


def webhook_payload(kind: str, content: str, *, at_all: bool = False) -> dict:
    limit = MAX_CONTENT.get(kind, 2000)
    if len(content.encode()) > limit:
        content = content.encode()[: limit - 10].decode(errors="ignore") + "\n……"
    payload: dict = {"msgtype": "text", "text": {"content": content}}
    if kind == "dingtalk":
        payload["at"] = {"atMobiles": [], "isAtAll": bool(at_all)}
    return payload


def webhook_post(url: str, payload: dict, *, timeout: float = TIMEOUT_SECONDS) -> tuple[bool, int | None, str]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (URL set by an admin, http(s) checked by the form)
            status = response.status
            text = response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        logger.warning("webhook answered %s", exc.code)
        return False, exc.code, exc.read(2000).decode(errors="replace") or str(exc)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        logger.warning("webhook failed: %s", exc)
        return False, None, str(exc)
    # Both robots answer 200 with {"errcode": 0} on success and a non-zero errcode otherwise.
    try:
        errcode = json.loads(text).get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    return errcode == 0, status, text
