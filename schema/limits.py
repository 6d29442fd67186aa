"""What one request may ask for, checked before anything runs, and the caches that make the
check cheap.

Depth, alias and token limits refuse abusive documents. Parsing and validating a document cost
more than running a small query (about 5 ms for a page of observations), and clients send the
same few documents again and again (every GUI page, every polling script), so both are cached
by document text in bounded LRU caches shared by every request. Validation is cached under
(schema, document, rules); the rule classes are therefore built once here, not per request,
or no two requests would share a key.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import ASTValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000
CACHED_DOCUMENTS = 256
"""Distinct document texts kept parsed and validated; a document beyond the token limit is
never cached (its parse fails)."""

_LIMIT_RULES: tuple[type[ASTValidationRule], ...] = (
    depth_rule(MAX_DEPTH, None, None),
    aliases_rule(MAX_ALIASES),
)
_PRODUCTION_RULES = (*_LIMIT_RULES, NoSchemaIntrospectionCustomRule)


def limit_extensions(*, production: bool) -> list[Callable[[], SchemaExtension]]:
    """Factories of the limit and cache extensions, in the order they must run."""
    rules = list(_PRODUCTION_RULES if production else _LIMIT_RULES)
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
    ]
