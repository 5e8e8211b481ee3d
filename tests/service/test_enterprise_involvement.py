"""An enterprise page links the 揭榜挂帅 needs it published or answered and the 对接会 it registered for."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service import demo_challenges
from service import models as m
from service.api import create_app
from service.demo_events import replace_demo_events
from service.settings import Settings


def test_an_enterprise_page_links_its_challenges_and_conferences(demo_database, sign_in):
    app = create_app(Settings(database_url=demo_database()))
    with Session(app.state.engine) as session:
        demo_challenges.load(session, app.state.chain)
        replace_demo_events(session=session)
        session.commit()
        need = session.exec(select(m.Challenge).where(col(m.Challenge.publisher_id).is_not(None))).first()
        answer = session.exec(select(m.ChallengeResponse)).first()
        enterprise_seats = select(m.EventParticipant).where(col(m.EventParticipant.enterprise_id).is_not(None))
        seat = session.exec(enterprise_seats).first()
        publisher, responder, guest = (
            session.get(m.Enterprise, i).uscc for i in (need.publisher_id, answer.responder_id, seat.enterprise_id)
        )
        answered = session.get(m.Challenge, answer.challenge_id)
    with TestClient(app) as visitor, TestClient(app) as admin:
        sign_in(admin)
        assert f'href="/challenges/{need.id}"' in visitor.get(f"/enterprises/{publisher}").text
        assert f'href="/events/{seat.session_id}"' in visitor.get(f"/enterprises/{guest}").text
        # an answer (揭榜) is shown to those who may see the firm's amounts, not to the public
        assert f'揭榜：<a href="/challenges/{answered.id}"' in admin.get(f"/enterprises/{responder}").text
        assert f'揭榜：<a href="/challenges/{answered.id}"' not in visitor.get(f"/enterprises/{responder}").text
