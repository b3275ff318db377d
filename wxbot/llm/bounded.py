"""Every answer from a model server is read within a byte budget and a deadline: a server that sends one
endless event, or trickles a byte now and then so that no single read ever times out, is cut off in words
instead of holding a reply (or the connect at start-up) forever. A transport under the HTTP clients, so the
model list, the tokenizer endpoints and each streamed reply are all bound the same way."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx2

# The most one answer may hold. A streamed reply of 8192 tokens in the most verbose server's events (vLLM with
# usage in each chunk) stays under 4 MiB, a model list of hundreds of models under 1 MiB.
RESPONSE_MAX_BYTES = 8 << 20


class ResponseTooLarge(httpx2.ReadError):
    """The server sent more than RESPONSE_MAX_BYTES for one answer."""


class ResponseTooSlow(httpx2.ReadTimeout):
    """The answer did not end within the timeout, though each read brought something."""


class _BoundedStream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, request: httpx2.Request, deadline: float, limit: int) -> None:
        self._inner, self._request, self._deadline, self._limit = inner, request, deadline, limit

    def __iter__(self) -> Iterator[bytes]:
        got = 0
        for part in self._inner:
            got += len(part)
            if got > self._limit:
                raise ResponseTooLarge(f"more than {self._limit} bytes", request=self._request)
            if time.monotonic() > self._deadline:
                raise ResponseTooSlow("the answer did not end in time", request=self._request)
            yield part

    def close(self) -> None:
        self._inner.close()


class BoundedTransport(httpx2.HTTPTransport):
    """An HTTP transport whose every response body ends within ``seconds`` of the request and ``limit`` bytes."""

    def __init__(self, seconds: float, limit: int = RESPONSE_MAX_BYTES) -> None:
        super().__init__()
        self._seconds, self._limit = seconds, limit

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        deadline = time.monotonic() + self._seconds
        response = super().handle_request(request)
        assert isinstance(response.stream, httpx2.SyncByteStream)
        return httpx2.Response(status_code=response.status_code, headers=response.headers,
                               stream=_BoundedStream(response.stream, request, deadline, self._limit),
                               extensions=response.extensions)


def bounded_client(seconds: float, **kwargs: object) -> httpx2.Client:
    """An httpx client whose answers are bound by BoundedTransport (``kwargs``: base_url, headers, timeout)."""
    return httpx2.Client(transport=BoundedTransport(seconds), **kwargs)  # type: ignore[arg-type]
