"""Single sign-on's storage facts: sign-ins under way, the links from a provider's people to
accounts here, links waiting for the local password, and which sessions came from the provider."""

from __future__ import annotations

from pymongo import IndexModel

from community.sso.queries import LINKS, PENDING, SSO_SESSIONS, STARTED
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(STARTED, indexes=(IndexModel([("expires_at", 1)], expireAfterSeconds=0),)),
    Collection(LINKS, label=N_("Single sign-on"), indexes=(
        IndexModel([("issuer", 1), ("subject", 1)], unique=True),  # who a provider's token names
        IndexModel([("user_id", 1)], unique=True),  # one provider identity per account
    ), personal=(Personal("user_id", "delete", purpose=N_("Which identity of the sign-in service is your account here.")),)),
    Collection(PENDING, label=N_("Single sign-on"), indexes=(
        IndexModel([("user_id", 1)]),
        IndexModel([("expires_at", 1)], expireAfterSeconds=0),
    ), personal=(Personal("user_id", "delete", secret_fields=("_id",),
                          purpose=N_("A sign-in through the sign-in service waiting for your password, to link the two.")),)),
    Collection(SSO_SESSIONS, label=N_("Single sign-on"), indexes=(
        IndexModel([("user_id", 1)]),
        IndexModel([("sid", 1)]),  # a back-channel logout naming the provider's session
        IndexModel([("expires_at", 1)], expireAfterSeconds=0),
    ), personal=(Personal("user_id", "delete", secret_fields=("_id",),
                          purpose=N_("Which of your sessions began at the sign-in service, to sign you out there too.")),)),
))
