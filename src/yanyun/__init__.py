"""yanyun (雁云): integrated policing operations, 情指勤舆督 in one Python system."""

__version__ = "0.1.0"
