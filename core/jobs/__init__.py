"""Periodic jobs: the ``Job`` a plugin (or core) registers, the runner that does one
(job, township) in its own transaction, and the record of every run (``job_run``)."""
