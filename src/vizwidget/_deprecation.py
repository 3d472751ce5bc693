"""Old keyword names kept for one release: they still work and warn with the new name."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["deprecated_keywords", "fold_legacy", "renamed_keywords"]


def _warn(func: str, old: str, new: str, stacklevel: int) -> None:
    warnings.warn(f"{func}({old}=...) is deprecated and will be removed in the next release; "
                  f"use {new}.", DeprecationWarning, stacklevel=stacklevel + 1)


def renamed_keywords(**renames: str) -> Callable[[F], F]:
    """Accept ``old=value`` for each ``old="new"``, warning once per call, as ``new=value``."""
    def decorator(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{fn.__name__}() got both {old}= and {new}=; "
                                        f"pass {new}= only.")
                    _warn(fn.__name__, old, f"{new}=", 2)
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorator


def fold_legacy(kwargs: dict[str, Any], func: str, names: tuple[str, ...], into: str,
                stacklevel: int = 4) -> dict[str, Any]:
    """Pop the deprecated keywords ``names`` out of ``kwargs``; return them (warning).

    ``stacklevel`` counts from the caller of ``fold_legacy`` to the user's call.
    """
    found = {name: kwargs.pop(name) for name in names if name in kwargs}
    for name in found:
        _warn(func, name, into, stacklevel)
    return found


def deprecated_keywords(*names: str) -> Callable[[F], F]:
    """Declare the keywords of an earlier release that ``fn``'s ``**legacy`` still takes.

    They are stored as ``fn.__deprecated_keywords__``, so that option checks (renderer
    options of a provenance record, ``--set``) accept them; ``fn`` folds them itself.
    """
    def decorator(fn: F) -> F:
        fn.__deprecated_keywords__ = tuple(names)  # type: ignore[attr-defined]
        return fn
    return decorator
