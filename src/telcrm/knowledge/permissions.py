"""Which built-in role gets which knowledge-base permission (registered from KnowledgeConfig.ready()).

Agents and every front-line role read; service staff write and submit; administrators and branch
managers review and publish (never their own version).
"""

from __future__ import annotations

VIEW = "knowledge.view_article"
WRITE = "knowledge.write_article"
REVIEW = "knowledge.review_article"

KNOWLEDGE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (VIEW, WRITE, REVIEW),
    "analyst": (VIEW,),
    "branch_manager": (VIEW, REVIEW),
    "clerk": (VIEW,),
    "backoffice": (VIEW,),
    "installer": (VIEW,),
    "agent": (VIEW,),
    "service": (VIEW, WRITE),
    "account_manager": (VIEW,),
    "marketer": (VIEW,),
}
