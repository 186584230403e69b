"""Channel providers: verify webhooks, parse payloads into canonical events, send messages.

Pure code: no tables, queues or settings. Secrets, base URLs and the httpx client come in as
arguments. One package per provider (`whatsapp`, `messenger`, `instagram`, `telegram`,
`twilio`, `email`) plus `meta` (the one-URL-per-app Meta webhook), `sns` (SES mail
notifications) and `fetch` (the SSRF-safe media fetcher).
"""
