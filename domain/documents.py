"""Every Beanie document model, so the app and the worker initialise the same set."""

from __future__ import annotations

from beanie import Document

from domain.accounts.user import User
from domain.organizations.organization import Organization

DOCUMENT_MODELS: list[type[Document]] = [User, Organization]
