"""The customer's side of the appointment book: the public booking page of each branch, its
one-time codes, the links in the messages (docs/appointments.md, "Online booking")."""
