"""The CRM's vocabulary: custom field definitions and values, and their models."""
