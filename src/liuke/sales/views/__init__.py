"""Sales pages: checkout, visits, cards, packages, the daily close, the catalogue.

Thin like the customer pages: parse (sales.forms), call a service or selector, render; htmx
gets partials (the live checkout quote). Every service refusal is shown with its own message and
nothing is saved (each service is one transaction).

One module per page group (checkout, visits, cards, packages, the daily close, the catalogue,
the profile's sales section); `sales.urls` names each view."""
