"""What modules show above everyone's task list on the home page (the quality policy…).

A provider ``(user) -> dict | None`` returns the context of its block, with ``template``
naming the template that draws it. Providers run on every home page: they must be cheap
(cached, or one indexed query).
"""

from __future__ import annotations

from collections.abc import Callable

Provider = Callable[[object], dict | None]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    _PROVIDERS.append(provider)
    return provider


def blocks_for(user) -> list[dict]:
    return [block for provider in _PROVIDERS if (block := provider(user))]
