"""Stored items of the e-mail module (inbox table): templates, auto-responses and their per-sender
markers (`conversations.inbox.mail`), and folders and labels (`conversations.inbox.mail_folders`).

Keys (every partition starts with the tenant):
  e-mail template     pk T#<t>#ETPL               sk E#<template id>
  auto-response       pk T#<t>#EMAIL              sk AUTO#<account>
  auto-reply marker   pk T#<t>#EAR#<account>      sk <sender>          (until; TTL a day after)
  filing record       pk T#<t>#EMC#<conv>         sk FILE              (folder, labels, rev)
  folder entry        pk T#<t>#EMF#<folder>       sk <conv>
  label entry         pk T#<t>#EML#<label>        sk <conv>
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from skailan.conversations.store.inbox_items import InboxItem

TEMPLATE_PREFIX = "E#"
FILE_SK = "FILE"


def email_templates_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#ETPL"


def email_template_sk(template_id: str) -> str:
    return TEMPLATE_PREFIX + template_id


def autoresponse_key(tenant_id: str, account_id: str) -> tuple[str, str]:
    return f"T#{tenant_id}#EMAIL", f"AUTO#{account_id}"


def autoreply_markers_pk(tenant_id: str, account_id: str) -> str:
    return f"T#{tenant_id}#EAR#{account_id}"


def filing_key(tenant_id: str, conversation_id: str) -> tuple[str, str]:
    return f"T#{tenant_id}#EMC#{conversation_id}", FILE_SK


def folder_pk(tenant_id: str, folder: str) -> str:
    return f"T#{tenant_id}#EMF#{folder}"


def label_pk(tenant_id: str, label: str) -> str:
    return f"T#{tenant_id}#EML#{label}"


class EmailTemplateItem(InboxItem, discriminator="email_template"):
    template_id = UnicodeAttribute()
    name = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    html = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)


class AutoResponseItem(InboxItem, discriminator="email_autoresponse"):
    account_id = UnicodeAttribute()
    enabled = BooleanAttribute(default=False)
    subject = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    html = UnicodeAttribute(null=True)
    once_every_days = NumberAttribute(default=4)


class AutoReplyMarkerItem(InboxItem, discriminator="email_autoreply_marker"):
    until = UnicodeAttribute()


class FolderRecordItem(InboxItem, discriminator="email_file"):
    conversation_id = UnicodeAttribute()
    folder = UnicodeAttribute()
    labels = UnicodeSetAttribute(null=True)  # DynamoDB stores no empty set
    rev = NumberAttribute(default=0)


class FolderEntryItem(InboxItem, discriminator="email_file_entry"):
    conversation_id = UnicodeAttribute()
