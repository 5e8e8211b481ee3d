"""How long a 揭榜挂帅 shortlist takes on the configured database (e.g. after `chainmap demo --no-serve`):
the partner ranker's fit once, then the shortlist of every challenge.

    python -m scripts.bench_challenge_shortlist [--k 20]
"""

from __future__ import annotations

import argparse
import time

from sqlmodel import Session, select

from chainmap.taxonomy import load_named_chain
from service import challenge_shortlist, matching
from service import models as m
from service.db import make_engine
from service.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=20)
    k = parser.parse_args().k
    settings = Settings()
    chain = load_named_chain(settings.chain)
    with Session(make_engine(settings)) as session:
        started = time.perf_counter()
        ranker = matching.ranker_for(session=session, chain=chain)
        print(f"ranker fit on {len(ranker.market.firms):,} firms: {time.perf_counter() - started:.1f} s")
        for challenge in session.exec(select(m.Challenge).order_by(m.Challenge.id)):
            started = time.perf_counter()
            short = challenge_shortlist.shortlist(session=session, chain=chain, challenge=challenge, k=k)
            elapsed = time.perf_counter() - started
            print(f"challenge {challenge.id}: {elapsed:.2f} s ({len(short['responders'])} responders ranked)")


if __name__ == "__main__":
    main()
