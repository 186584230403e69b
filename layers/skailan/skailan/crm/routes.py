"""Every router of the CRM API function."""

from skailan.crm.http import people_routes, sales_routes

ROUTERS = (*people_routes.ROUTERS, *sales_routes.ROUTERS)
