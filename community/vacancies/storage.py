"""Vacancies' storage facts.

A vacancy is the department's, not a person's: erasing its author leaves it (the author's id
goes). An application and the department's notes on it are the applicant's personal data:
erasure deletes both, while the vacancy's ``applications`` count (kept on the vacancy) stays, so
the department still knows how many applied. The export lists them with their consent record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import IndexModel

from community.i18n import N_
from community.storage.facts import Collection, Personal, SearchDocuments, StorageFacts
from community.vacancies.queries import (ALERT_ROWS, ALERTS, APPLICATIONS, NOTES, RANKING, SAVED_SEARCHES,
                                         SEARCH_INDEX, VACANCIES)
from search.documents import single, vacancy_document


def search_document(vacancy: Mapping[str, Any]) -> dict[str, Any]:
    """The search index's document: public once published (a draft is hidden), with the state,
    the mode, the pay level, the organisation, the required competencies and the closing time to
    filter and count by."""
    return vacancy_document({**vacancy, "location": f"{vacancy.get('city', '')}, {vacancy.get('state', '')}",
                             "competencies": vacancy.get("required_ids", [])})


STORAGE = StorageFacts(collections=(
    Collection(VACANCIES, label=N_("Vacancies you posted"), indexes=(
        IndexModel([("status", 1), ("closes_at", 1)]),  # open vacancies, soonest closing first
        IndexModel([("org_id", 1), ("created_at", -1)]),  # a department's vacancies
        IndexModel([("required_ids", 1)]),  # vacancies requiring a competency
    ), personal=(
        Personal("created_by", "anonymise", replacements={"created_by": None},
                 purpose=N_("Vacancies you posted for your organisation; they stay, your name goes.")),
    )),
    Collection(RANKING, indexes=(
        IndexModel([("required_ids", 1)]),  # open vacancies requiring a competency (queries.open_requiring)
        IndexModel([("closes_at", 1), ("_id", 1)]),  # open vacancies, soonest closing first (queries.open_soonest)
    )),
    Collection(APPLICATIONS, label=N_("Vacancy applications"), indexes=(
        IndexModel([("vacancy_id", 1), ("standing", 1), ("rank", 1)]),  # a department's ranked pages
        IndexModel([("vacancy_id", 1), ("standing", 1), ("status", 1), ("rank", 1)]),  # ... of one stage
        IndexModel([("vacancy_id", 1), ("standing", 1), ("essentials_met", 1), ("rank", 1)]),  # ... meeting essentials
        IndexModel([("user_id", 1), ("applied_at", -1)]),  # a person's applications
    ), personal=(
        Personal("user_id", "delete", purpose=N_("Your applications to vacancies: your statement, the profile fields "
                                                 "you chose to share, your consent and the application's status.")),
    )),
    Collection(NOTES, label=N_("Vacancy applications"), indexes=(
        IndexModel([("application_id", 1), ("at", 1)]),
        IndexModel([("user_id", 1)]),
    ), personal=(
        Personal("user_id", "delete", purpose=N_("The department's notes on your applications.")),
        Personal("author_id", "anonymise", replacements={"author_id": None},
                 purpose=N_("Notes you wrote on applicants as a department administrator; the notes stay, your name goes.")),
    )),
    Collection(SAVED_SEARCHES, label=N_("Saved vacancy searches and alerts"), indexes=(
        IndexModel([("user_id", 1), ("created_at", 1)]),
    ), personal=(
        Personal("user_id", "delete", purpose=N_("Your saved vacancy searches, so new vacancies that fit reach you.")),
    ), retired=("mode_1_state_1_pay_level_1",)),  # a new vacancy reads alert rows instead
    Collection(ALERT_ROWS, label=N_("Saved vacancy searches and alerts"), indexes=(
        # the searches a new vacancy may fit, read from the keys alone (alerts.searches_it_may_fit)
        IndexModel([("filters", 1), ("user_id", 1), ("needs", 1)]),
        IndexModel([("user_id", 1)]),
    ), retired=("filters_1",), personal=(
        Personal("user_id", "delete", purpose=N_("Your saved vacancy searches in the short form a new vacancy is "
                                                 "matched against.")),
    )),
    Collection(ALERTS, label=N_("Saved vacancy searches and alerts"), indexes=(
        IndexModel([("user_id", 1)]),
        IndexModel([("batch", 1)]),  # the people one run alerted (alerts.alerted_in)
    ), personal=(
        Personal("user_id", "delete", purpose=N_("Which vacancies you were alerted to, so each reaches you once.")),
    )),
), search=(SearchDocuments(SEARCH_INDEX, single(VACANCIES, search_document), sources=((VACANCIES, {}),)),))
