"""Users, as CUPS names them, and the departments their printing is charged to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from printrelease.db import Base, utcnow


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    users: Mapped[list["User"]] = relationship(back_populates="department")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="user", server_default="user")  # see accounts/roles.py
    language: Mapped[str | None] = mapped_column(String(8))  # "ko" or "en"; None: as the browser asks
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship(back_populates="users", lazy="joined")

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class LoginAttempt(Base):
    """One try at the web login, kept to slow down guessing and to show who tried."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_login_at", "login", "at"),
                      Index("ix_login_attempts_address_at", "remote_address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(255))
    remote_address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A login to the web UI, kept on the server: the browser's cookie carries only a random token whose
    hash is `token_hash`, so that logging out, a password change or disabling the user ends it everywhere."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    remote_address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(lazy="joined")
