"""The demo city: an ISP in Porto Alegre built on the real streets of an OSM extract.

`services.load_demo_city` imports the streets, then runs one small module per
phase: `plant` (POP, OLTs, CTO boxes, cables, coverage), `clients` (people,
addresses, contracts on box ports), `fieldwork` (users, skills, technicians,
service orders), `sales` (channels, a team, leads, goals, commission rules, through
the sales services) and `collection` (a billing wallet and its dunning rules). `city`
knows the streets and where people live; `catalogue` holds the pt-BR names and prices;
`identity` makes valid CPFs, CNPJs and phones.
"""
