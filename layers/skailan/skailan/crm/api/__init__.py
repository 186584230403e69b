"""HTTP routers of the CRM API function (one Router per resource)."""
