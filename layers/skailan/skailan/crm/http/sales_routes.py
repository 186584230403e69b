ROUTERS: tuple = ()  # imports, forms, deals, pipelines, tasks
