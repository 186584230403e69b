"""Analytics: pre-aggregated counters and exact duration distributions built from the domain
events, the dashboard summary and the conversation / NPS reports (docs/analytics.md)."""
