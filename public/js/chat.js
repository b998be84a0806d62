// Browser glue for the chat: applies pushed HTML with htmx, windows, composer. (filled in next)
