"""Prometheus metrics at ``/metrics`` (issue 17, what an operator needs): requests counted
and timed by route template and status, the database pool, job runs and webhook
deliveries by channel; no township in a label unless ``METRICS_TENANT_LABELS`` says so; open to
loopback (or the configured addresses) and to the bearer token only."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from zerenzhi import count_delivery
from zerenzhi.observability.metrics import record_job_run
from zerenzhi.testing import ApiClient

UNIT_ROUTE = "/api/v1/townships/<township>/units/<uuid:unit_id>"


def scrape(app, **kwargs) -> dict[tuple[str, frozenset], float]:
    response = ApiClient(app).get("/metrics", **kwargs).assert_status(200)
    assert response.raw.mimetype == "text/plain"
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.raw.get_data(as_text=True))
            for sample in family.samples}


def value(samples, name: str, **labels) -> float:
    """The sum over the samples of ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def test_a_request_moves_its_route_templates_counter_and_histogram(township):
    unit = f"{township.base}/units/{township.units['village-1']}"
    before = scrape(township.app)
    township.client("viewer").get(unit).assert_status(200)
    township.client("viewer").get(f"{township.base}/units/{township.units['branch-1']}") \
        .assert_status(200)
    after = scrape(township.app)
    labels = {"method": "GET", "route": UNIT_ROUTE, "status": "200"}
    assert value(after, "zerenzhi_http_requests_total", **labels) - \
        value(before, "zerenzhi_http_requests_total", **labels) == 2
    timed = {"method": "GET", "route": UNIT_ROUTE}
    assert value(after, "zerenzhi_http_request_duration_seconds_count", **timed) - \
        value(before, "zerenzhi_http_request_duration_seconds_count", **timed) == 2


def test_no_label_value_names_a_township_or_an_id_by_default(township):
    township.client("viewer").get(f"{township.base}/units").assert_status(200)
    township.client("viewer").get(f"{township.base}/units/{township.units['village-1']}")
    ApiClient(township.app).get(f"/api/v1/nowhere/{township.slug}").assert_status(404)
    samples = scrape(township.app)
    values = {v for (_name, labels) in samples for _k, v in labels}
    assert not any(township.slug in v or township.county_slug in v for v in values)
    assert not any(str(township.units["village-1"]) in v for v in values)
    assert value(samples, "zerenzhi_http_requests_total", route="<unmatched>",
                 status="404") >= 1


def test_the_setting_puts_the_township_in_a_label(township, monkeypatch):
    monkeypatch.setitem(township.app.config, "METRICS_TENANT_LABELS", True)
    township.client("viewer").get(f"{township.base}/units").assert_status(200)
    samples = scrape(township.app)
    assert value(samples, "zerenzhi_http_requests_total", township=township.slug) >= 1


def test_the_pool_jobs_and_deliveries_are_exposed(app):
    before = scrape(app)
    record_job_run("obligations.materialise", "ok")
    record_job_run("obligations.materialise", "failed")
    count_delivery("webhook", "delivered", 3)
    count_delivery("email", "failed")
    after = scrape(app)
    for outcome in ("ok", "failed"):
        assert value(after, "zerenzhi_job_runs_total", job="obligations.materialise",
                     outcome=outcome) - value(before, "zerenzhi_job_runs_total",
                                              job="obligations.materialise",
                                              outcome=outcome) == 1
    for channel, outcome, count in (("webhook", "delivered", 3), ("email", "failed", 1)):
        assert value(after, "zerenzhi_deliveries_total", channel=channel, outcome=outcome) - \
            value(before, "zerenzhi_deliveries_total", channel=channel, outcome=outcome) == count
    assert ("zerenzhi_db_pool_checked_out", frozenset()) in after
    assert ("zerenzhi_db_pool_size", frozenset()) in after


def test_other_addresses_and_forwarded_requests_are_refused(app):
    client = ApiClient(app)
    far = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert far.status_code == 403 and "zerenzhi_http" not in far.raw.get_data(as_text=True)
    client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).assert_status(403)
    client.get("/metrics").assert_status(200)  # loopback


def test_the_token_admits_from_anywhere_and_the_allow_list_is_a_setting(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-me")
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "10.1.0.0/16")
    client = ApiClient(app)
    far = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}, **far) \
        .assert_status(200)
    client.get("/metrics", headers={"Authorization": "Bearer wrong"}, **far).assert_status(403)
    client.get("/metrics").assert_status(403)  # loopback is no longer listed
    client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).assert_status(200)


def test_metrics_is_outside_the_request_pipeline(app):
    """No request id, no tenant: a scrape is not an API request (and is not itself
    counted), as the probes are not tenant requests."""
    response = ApiClient(app).get("/metrics").assert_status(200)
    assert "X-Request-ID" not in response.raw.headers
    samples = scrape(app)
    assert value(samples, "zerenzhi_http_requests_total", route="/metrics") == 0
