"""Reply marks on wordings written for these tests (not from the dev set): the rules must generalise.

Each phrasing is asserted with the whole set of marks it earns, not one mark's membership, so a
phrase family that also fires where it should not (over-matching) fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.assessment import PENALISED, REPLY_MARKS, ReplyContext, assess_reply, customer_is_abusive, read_amounts
from bot.assessment.replies import rule_assessment

ANGRY = "This is a joke. I've been waiting a fortnight and nobody has rung me back."
ABUSIVE = "You're a useless moron, just like everyone else there."
BROADBAND = "My broadband has been down for four days and I work from home. Nobody has fixed it!"
RESTAURANT = "I booked a table for my mum's 70th and when we arrived you'd given it away. In front of everyone!"
PARCEL = "I ordered a birthday present for my son and it arrived smashed. His birthday is tomorrow!"

# (reply, every mark the phrase rules give it) read with the table's customer message
ANGRY_PHRASINGS = [
    ("Talk me through what happened when the engineer arrived?", {"open_question"}),
    ("what did the shop say when you took it back", {"open_question"}),
    ("Could you tell me a bit more about the charges you're seeing?", {"open_question"}),
    ("OK, and how has this left you with the children's party?", {"open_question"}),
    ("So nobody has called you back in two weeks of waiting, have I understood that correctly?", {"paraphrase"}),
    ("Just so I'm clear, you've been waiting a fortnight and no one rang you back?", {"paraphrase"}),
    ("I can completely understand why you're annoyed about that.", {"empathy"}),
    ("That must be really stressful, waiting with no news.", {"empathy"}),
    ("i'd be fed up too if that happened to me", {"empathy"}),
    ("Two weeks with no call back sounds exhausting, honestly.", {"empathy"}),
    ("I do apologise for the wait you've had.", {"apology"}),
    ("im really sorry nobody got back to you", {"apology"}),
    ("My apologies for the mix-up with your order.", {"apology"}),
    ("I'll book an engineer for Thursday morning and email you the confirmation.", {"action"}),
    ("Let me arrange a replacement handset to go out today.", {"action"}),
    ("I've processed the refund to your original card.", {"action"}),
    ("As it's faulty, the Consumer Rights Act gives you the right to a repair or replacement, "
     "so I'll arrange that.", {"action", "policy"}),
    ("Because of data protection, only the account holder can give us permission, but he can do that "
     "online.", {"policy", "verify"}),
    ("This needs approval above my level, so I'm passing it to my team leader, who will call you by 4pm.",
     {"escalation"}),
    ("I'll refer this to our complaints team today and they'll write to you within five working days.",
     {"escalation"}),
    ("Does that sound like a fair way forward?", {"check"}),
    ("Is there anything else I can do for you while you're on?", {"check"}),
    ("Would Friday work for you?", {"check"}),
    ("Thanks for being so patient with me.", {"thanks"}),
    ("I really appreciate you explaining all that.", {"thanks"}),
    ("I've logged this as case 55120 so anyone you speak to can see it.", {"record"}),
    ("I'll ring you on Monday to check the engineer turned up.", {"record"}),
    ("Before I can discuss the account, could you confirm your date of birth?", {"verify"}),
    ("I'm afraid I can't share details of someone else's account with you.", {"verify"}),
    ("Well that's not my fault, I wasn't even on shift.", {"defensive"}),
    ("Honestly, it's only a few days late, there's no need to get upset.", {"dismissive"}),
    ("There's nothing else I can do, you'll have to contact the manufacturer.", {"dismissive"}),
    ("It's company policy and I can't change it.", {"policy_wall"}),
    ("I promise this will never happen again.", {"over_promise"}),
    ("I guarantee the engineer will be there first thing.", {"over_promise"}),
    ("Yeah that's completely our fault, the engineers are always messing up.", {"admits_fault"}),
    ("lol calm down mate", {"dismissive", "unprofessional"}),
    ("Whatever, I don't make the rules.", {"unprofessional"}),
    ("I totally get why you're cross.", {"empathy"}),
    ("I hear how frustrating this has been for you.", {"empathy"}),
    ("To make sure I've got this right: you waited a fortnight and nobody rang you back?", {"paraphrase"}),
    ("I'll chase the engineers today and call you back before 5 with an update.", {"action", "record"}),
    ("Our repairs team handles this, so I'm raising it with them as urgent today.", {"escalation"}),
    ("Visits normally take 5 working days under our repairs policy, so yours is overdue.", {"policy"}),
    ("Our policy. Nothing I can do.", {"dismissive", "policy_wall"}),
    ("It says here the engineer called twice, so that's on your side.", {"defensive"}),
    ("Is your postcode SW1A 1AA?", {"verify"}),
    ("I'll send that now.", {"action"}),
    ("I'm sorry you feel that way.", {"dismissive"}),
    ("Sorry, but there's nothing I can do about it.", {"dismissive"}),
    ("I understand, but the policy is clear.", {"policy_wall"}),
    ("We'll look into it.", set()),
    ("What would you like me to do?", {"open_question"}),
    ("You'll have to speak to someone else about that.", {"dismissive"}),
    ("I see.", set()),
    ("Thanks for waiting.", {"thanks"}),
    ("Thanks for nothing.", {"unprofessional"}),
    ("Under the Consumer Rights Act you're entitled to a refund, so I'll process it now.", {"action", "policy"}),
    ("I appreciate this has been really stressful.", {"empathy"}),
    ("The engineers will call you back by Friday.", {"action"}),
    ("I'm sorry, that sounds really frustrating.", {"apology", "empathy"}),
]
BROADBAND_PHRASINGS = [
    ("what lights are showing on the router at the moment", {"open_question"}),
    ("If I understand correctly, the internet's been down since Monday and no engineer has come out?",
     {"paraphrase"}),
    ("Four days without internet when you work from home must be incredibly stressful.", {"empathy"}),
    ("Apologies for the trouble this has caused.", {"apology"}),
    ("I'm booking an engineer visit for tomorrow morning between 8 and 1.", {"action"}),
    ("I've run a line test and I'm sending a new router out today.", {"action"}),
    ("Our service guarantee says repairs are done within 48 hours, so you're due compensation.", {"policy"}),
    ("I'm escalating this to our network team as a priority fault; they'll update you by 6pm.", {"escalation"}),
    ("Is there anything else you'd like me to look at while I've got you?", {"check"}),
    ("I'll give you a ring on Thursday to make sure everything's working.", {"record"}),
    ("If you'd rebooted the router like we told you, it would be fine.", {"defensive"}),
    ("It's only broadband, you can use your phone.", {"dismissive"}),
    ("There's really nothing more I can do today.", {"dismissive"}),
    ("That's just how our repair process works, I'm afraid.", {"policy_wall"}),
    ("It will definitely be fixed tomorrow, 100%.", {"over_promise"}),
    ("Ugh, fine, whatever you want.", {"unprofessional"}),
    ("I'm sorry but that's just the way it is.", {"policy_wall"}),
    ("Is the light red?", set()),
    ("I'll aim to get an engineer to you tomorrow, and I'll confirm the slot by text.", {"action"}),
    ("I'm sorry this has happened.", {"apology"}),
    ("I've checked it and the bill is correct, that's the end of it.", {"dismissive"}),
]
RESTAURANT_PHRASINGS = [
    ("I'm sure that was mortifying in front of your family.", {"empathy"}),
    ("So you'd booked for your mum's 70th, arrived, and found the table had been given to someone else?",
     {"paraphrase"}),
    ("Who did you speak to when you arrived?", {"open_question"}),
    ("I'd like to offer you a complimentary meal for the whole party on a date of your choosing.", {"action"}),
    ("I've made a note on your booking and I'll follow this up with the duty manager.", {"record"}),
    ("Would you be happy with that?", {"check"}),
    ("These things happen on busy nights.", {"dismissive"}),
    ("The system shows you didn't confirm the booking, so that's why.", {"defensive"}),
    ("Not my problem, love.", {"defensive", "dismissive", "unprofessional"}),
    ("Yeah, our front-of-house staff are clueless, total shambles.", {"admits_fault", "unprofessional"}),
    ("I'm going to refer this to our general manager, who'll contact you within two days.", {"escalation"}),
    ("I understand. Anyway, what's your booking reference?", set()),
    ("Is the booking under your name?", set()),
    ("Did you arrive on time?", set()),
]
PARCEL_PHRASINGS = [
    ("I appreciate how frustrating this must be, especially with his birthday tomorrow.", {"empathy"}),
    ("I'm sorry for any inconvenience this has caused.", {"apology"}),
    ("What I can do is send a replacement today by courier.", {"action"}),
    ("Could I ask what exactly was damaged?", {"open_question"}),
    ("As the item arrived damaged, you're entitled to a replacement or a full refund.", {"policy"}),
    ("It's just a toy, I'm sure he'll survive.", {"dismissive"}),
    ("The courier damaged it, not us, so you'll need to take it up with them.", {"defensive", "dismissive"}),
    ("I'll make sure it's there first thing tomorrow, no problem at all.", {"over_promise"}),
    ("Oh dear, what a drama.", {"dismissive", "unprofessional"}),
    ("Can I just check the name and postcode on the order?", {"verify"}),
    ("I'll send the replacement by next-day delivery, which usually arrives by 1pm.", {"action"}),
]

# Over-matching found in review (issue 13): each phrase family fired beyond its move.
OVER_MATCHING = [
    ("Let me double check the order for you.", {"action"}),  # was over_promise ("double")
    ("No question, I'll get that sorted.", {"action"}),  # was admits_fault ("no question")
    # was dismissive: "cannot accept" read as a warning about the customer's behaviour
    ("We cannot accept returns after 30 days, but I can arrange a repair.", {"action", "policy"}),
    # was empathy: appreciating what the customer did is thanks, not a feeling acknowledged
    ("I really appreciate your patience while I looked.", {"thanks"}),
    # was policy: terms used to blame the customer are no customer-focused explanation
    ("You should have read the delivery terms before ordering.", {"defensive"}),
    # was policy and action: the limit of the remit is the escalation's reason, "what I can fix" no step
    ("That's beyond what I can fix on the phone, so I'll escalate it and you'll hear by Friday.", {"escalation"}),
    # was open_question: asking for one fact is a closed question
    ("Sorry, what was the name on the booking?", set()),
    ("For security, could you give me your date of birth please?", {"verify"}),
]

PHRASINGS = [(ANGRY, reply, marks) for reply, marks in ANGRY_PHRASINGS + OVER_MATCHING]
PHRASINGS += [(BROADBAND, reply, marks) for reply, marks in BROADBAND_PHRASINGS]
PHRASINGS += [(RESTAURANT, reply, marks) for reply, marks in RESTAURANT_PHRASINGS]
PHRASINGS += [(PARCEL, reply, marks) for reply, marks in PARCEL_PHRASINGS]


@pytest.mark.parametrize(("customer", "reply", "marks"), PHRASINGS)
def test_the_rules_give_exactly_these_marks(customer: str, reply: str, marks: set[str]) -> None:
    result = rule_assessment(reply, customer)
    assert set(result.marks) == marks
    assert set(result.evidence) == marks
    assert all(quote in reply for quote in result.evidence.values())


@pytest.mark.parametrize(("reply", "marks"), OVER_MATCHING)
def test_the_assessor_gives_none_of_the_over_matched_penalties(reply: str, marks: set[str]) -> None:
    """The whole assessor (classifier, then facts) gives exactly the table's penalised marks here."""
    assert set(assess_reply(reply, ANGRY).marks) & PENALISED == marks & PENALISED


def test_boundary_only_when_the_customer_is_abusive():
    warning = "I want to help, but if the name-calling carries on I'll have to end the call."
    assert assess_reply(warning, ABUSIVE).marks == ("boundary",)
    passionate = "I can't believe you've cancelled! I've waited all year for this gig!"
    assert assess_reply(warning, passionate).marks == ("dismissive",)
    assert assess_reply(warning, "Fine.", ReplyContext(customer_abusive=True)).marks == ("boundary",)


def test_offers_beyond_authority_are_over_promises():
    ctx = ReplyContext(authority_limit=Decimal(25))
    over = assess_reply("I'll credit £60 to your account today.", "I want compensation.", ctx)
    assert over.marks == ("over_promise",)
    assert over.offered_amounts == (Decimal(60),)
    within = assess_reply("I'll credit £20 to your account today.", "I want compensation.", ctx)
    assert within.marks == ("action",)
    mention = assess_reply("So you were charged £420 too much, is that right?", "I was overcharged £420.", ctx)
    assert mention.offered_amounts == () and mention.marks == ("paraphrase",)


@pytest.mark.parametrize("reply", ["", "   ", "\u200b\u200b", "🙂", "\x00\x01"])
def test_empty_and_odd_replies_have_no_marks(reply):
    assert assess_reply(reply, ANGRY).marks == ()


def test_huge_reply_is_handled_and_quoted_from_the_original():
    reply = "I’m so sorry — what happened? " + "blah " * 50_000
    assert rule_assessment(reply, ANGRY).marks == ("open_question", "apology")
    result = assess_reply(reply, ANGRY)
    assert {"apology", "open_question"} <= set(result.marks)  # the model reads 5,000 chars of "blah" too
    assert all(quote in reply for quote in result.evidence.values())


@pytest.mark.parametrize(("reply", "marks"), [
    ("Thats not my fault", ("defensive",)), ("I’m sorry about this", ("apology",)),
    ("we cant do anything about it", ("dismissive",)),
])
def test_curly_quotes_and_missing_apostrophes(reply: str, marks: tuple[str, ...]) -> None:
    assert rule_assessment(reply, ANGRY).marks == marks


@pytest.mark.parametrize(("text", "amounts"), [
    ("£25", (Decimal(25),)), ("£1,240 and £ 25.50", (Decimal(1240), Decimal("25.50"))),
    ("200 quid or 30 pounds", (Decimal(200), Decimal(30))), ("no money here", ()),
])
def test_read_amounts(text, amounts):
    assert read_amounts(text) == amounts


@pytest.mark.parametrize(("message", "abusive"), [
    ("You're a complete idiot.", True), ("This is f***ing ridiculous", True), ("Shut up and listen", True),
    ("I'm really upset about this!", False), ("I drove FOUR HOURS for this!!", False),
])
def test_customer_abuse(message, abusive):
    assert customer_is_abusive(message) is abusive


# Ratchets over the same tables, read by the whole assessor (the trained classifier, then the facts),
# which never trained on them: the share of phrasings given exactly the table's set, and the share of
# the (phrasing, mark) decisions it gets right. Raise them when they rise; never lower them.
EXACT_FLOOR = 0.77
DECISION_FLOOR = 0.984


def test_the_trained_assessor_mostly_agrees_with_the_phrasing_tables() -> None:
    exact, decisions, misses = 0, 0, []
    for customer, reply, marks in PHRASINGS:
        got = set(assess_reply(reply, customer).marks)
        exact += got == marks
        decisions += len(REPLY_MARKS) - len(got ^ marks)
        if got != marks:
            misses.append(f"{reply!r} +{sorted(got - marks)} -{sorted(marks - got)}")
    exact_rate = exact / len(PHRASINGS)
    decision_rate = decisions / (len(PHRASINGS) * len(REPLY_MARKS))
    print(f"\nexact {exact_rate:.3f}, decisions {decision_rate:.4f} over {len(PHRASINGS)} phrasings; misses:")
    print("\n".join(misses))
    assert exact_rate >= EXACT_FLOOR
    assert decision_rate >= DECISION_FLOOR
