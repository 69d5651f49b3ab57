"""The few S3 calls the service manager makes itself (list buckets, create a bucket), signed with AWS
Signature V4 using only the standard library, so `twin.py` needs no venv. Path-style URLs, as the S3
stand-in is configured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import urllib.error
import urllib.request
from dataclasses import dataclass

_EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class S3Endpoint:
    port: int
    access_key: str
    secret_key: str
    region: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _signed_request(self, method: str, path: str) -> urllib.request.Request:
        now = dt.datetime.now(dt.UTC)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = now.strftime("%Y%m%d")
        host = f"127.0.0.1:{self.port}"
        headers = {"host": host, "x-amz-content-sha256": _EMPTY_PAYLOAD_SHA256, "x-amz-date": amz_date}
        signed_headers = ";".join(sorted(headers))
        canonical_request = "\n".join(
            [
                method,
                path,
                "",  # no query string
                "".join(f"{name}:{headers[name]}\n" for name in sorted(headers)),
                signed_headers,
                _EMPTY_PAYLOAD_SHA256,
            ]
        )
        scope = f"{day}/{self.region}/s3/aws4_request"
        string_to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        key = ("AWS4" + self.secret_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.url + path, method=method)
        request.add_header("x-amz-content-sha256", _EMPTY_PAYLOAD_SHA256)
        request.add_header("x-amz-date", amz_date)
        request.add_header(
            "Authorization",
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, SignedHeaders={signed_headers}, "
            f"Signature={signature}",
        )
        return request

    def list_buckets_status(self) -> int:
        """HTTP status of an authenticated ListBuckets (200 = up and accepting our credentials)."""
        try:
            with urllib.request.urlopen(self._signed_request("GET", "/"), timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def create_bucket(self, bucket: str) -> None:
        """Creates the bucket; an existing one of ours is fine (state persists across restarts)."""
        try:
            with urllib.request.urlopen(self._signed_request("PUT", f"/{bucket}"), timeout=10):
                return
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            if error.code == 409 and "BucketAlreadyOwnedByYou" in body:
                return
            raise RuntimeError(f"creating bucket {bucket} failed: HTTP {error.code} {body}") from error
