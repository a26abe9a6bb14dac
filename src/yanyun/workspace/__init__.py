"""The workspace (工作台): one shell over every office page, a home per role, one inbox,
one search box."""
