"""The plugin's one table. Its name starts with the plugin's table prefix (``hello_``) so
the hello lineage owns it and core's autogenerate leaves it alone."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from zerenzhi import Archivable, Base, TenantScoped, tenant_fk


class Greeting(TenantScoped, Archivable, Base):
    """A greeting a unit received. ``TenantScoped`` puts ``tenant_id`` first in the primary
    key and scopes every query to the township in context; ``tenant_fk`` makes the unit
    reference composite, so a greeting can never point at another township's unit."""

    __tablename__ = "hello_greeting"

    unit_id: Mapped[uuid.UUID]
    greeted_at: Mapped[dt.datetime]
    message: Mapped[str] = mapped_column(String(200))

    __table_args__ = (tenant_fk("unit_id", "org_unit"),)
