"""Meeting scheduling for matchmaking conferences (对接大会): plain data in (:mod:`.model`), a schedule out
(:func:`.solve.schedule_event`), with an independent checker (:mod:`.check`) and printable rows (:mod:`.sheets`)."""
