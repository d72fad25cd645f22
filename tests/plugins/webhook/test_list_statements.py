"""The delivery log runs a fixed number of SQL statements whatever the page size."""

from __future__ import annotations

import datetime as dt

from tests.plugins.platforms.support import statements
from zerenzhi.plugins.webhook.models import WebhookDelivery

RECORDS = 25
BOUND = 7  # the request's own (token, posts, tenant, plugins) and the page with its total


def test_the_delivery_log_runs_the_same_statements_for_one_row_and_for_twenty(township):
    township.enable("webhook")
    at = dt.datetime(2026, 6, 24, 1, tzinfo=dt.UTC)
    with township.scope() as sess:
        sess.add_all([WebhookDelivery(event="obligation.due_soon", payload={"n": n},
                                      next_attempt_at=at + dt.timedelta(minutes=n))
                      for n in range(RECORDS)])
        sess.commit()
    url = f"{township.base}/webhook/deliveries"
    one, first = statements(township, "secretary", f"{url}?page_size=1")
    twenty, page = statements(township, "secretary", f"{url}?page_size=20")
    assert (len(first), len(page)) == (1, 20)
    assert one == twenty <= BOUND, (one, twenty)
