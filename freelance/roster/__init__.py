"""The freelancer roster: records (``records``), the service that searches and changes them
(``service``), reading roster files (``files``), importing them (``importing``) and exporting (``export``)."""
