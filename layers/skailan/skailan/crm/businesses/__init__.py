"""The CRM's businesses (companies): their model and service."""
