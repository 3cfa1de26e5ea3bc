"""Haven content-staff console: edit FAQs and services, review the inbox, see the dashboard."""
