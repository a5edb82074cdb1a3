"""The For-you page's writes: the position a person wants to move to, their digest choice, and
what they dismiss. Each runs in an action (``community.actions``) and touches only this
feature's collections."""

from __future__ import annotations

from community import policy, ratelimit
from community.actions import Action
from community.competencies import queries as dictionary
from community.errors import Invalid
from community.foryou import queries
from community.foryou.queries import suggestion_key
from community.foryou.schemas import DigestIn, DismissalIn, TargetIn
from community.i18n import gettext as _

DISMISSALS_PER_HOUR = 200


def _member(tx: Action) -> policy.Member:
    policy.require(tx.actor, policy.can_have_suggestions(tx.actor), _("Sign in to see what is suggested for you."))
    return policy.require_member(tx.actor)


async def choose_target(tx: Action, data: TargetIn) -> None:
    """Aim at ``data.position_id`` (a position of the dictionary), or back at one's own with ``None``."""
    member = _member(tx)
    if data.position_id is not None and await dictionary.position(tx.db, data.position_id) is None:
        raise Invalid({"position_id": _("There is no such position in the dictionary.")})
    await tx.start()
    await queries.set_choice(tx.db, member.user_id, {"target_position_id": data.position_id}, tx.now, session=tx.session)


async def set_digest(tx: Action, data: DigestIn) -> None:
    member = _member(tx)
    await tx.start()
    await queries.set_choice(tx.db, member.user_id, {"digest": data.digest}, tx.now, session=tx.session)


async def _check_competency(tx: Action, data: DismissalIn) -> None:
    if data.kind == "competency":
        if not await dictionary.existing_competency_ids(tx.db, [data.id]):
            raise Invalid({"id": _("There is no competency %(id)s in the dictionary.", id=data.id)})
    elif len(data.id) != 24:
        raise Invalid({"id": _("This is not the id of a suggestion.")})


async def dismiss(tx: Action, data: DismissalIn) -> bool:
    """Put the suggestion or competency aside for good; False when it was already."""
    member = _member(tx)
    await _check_competency(tx, data)
    await tx.start()
    await ratelimit.hit(tx.db, f"foryou-dismiss:{member.user_id}", limit=DISMISSALS_PER_HOUR, window_seconds=3600,
                        now=tx.now, session=tx.session)
    return await queries.dismiss(tx.db, member.user_id, suggestion_key(data.kind, data.id), tx.now, session=tx.session)


async def restore(tx: Action, data: DismissalIn) -> bool:
    """Take a dismissal back; False when there was none."""
    member = _member(tx)
    await tx.start()
    return await queries.undismiss(tx.db, member.user_id, suggestion_key(data.kind, data.id), session=tx.session)
