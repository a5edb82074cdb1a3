"""Closing a poll at its set time: the ``poll.close`` job, scheduled by ``community.polls.service``.

The job runs in its own action, so its ``poll:closed`` event leaves only once the poll is closed.
A poll closed by hand meanwhile, removed, or given a later time is left as it is (and the later
time has its own job under the same key).
"""

from __future__ import annotations

from bson import ObjectId

from community import actions, policy
from community.i18n import N_
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.polls.service import CLOSE_JOB, close_when_due


async def close_poll(run: JobRun) -> None:
    await actions.run(run.app, policy.ANONYMOUS, close_when_due, poll_id=ObjectId(run.payload["poll_id"]))


register(CLOSE_JOB, close_poll, label=N_("Close a poll at the time set for it"))
