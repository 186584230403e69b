ROUTERS: tuple = ()  # people, identities, fields, journeys, businesses, lists, segments, exports
