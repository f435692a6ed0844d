"""Reply marks on wordings written for these tests (not from the dev set): the rules must generalise."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.assessment import ReplyContext, assess_reply, customer_is_abusive, read_amounts
from bot.assessment.replies import rule_assessment

ANGRY = "This is a joke. I've been waiting a fortnight and nobody has rung me back."
ABUSIVE = "You're a useless moron, just like everyone else there."

POSITIVE = [
    ("open_question", "Talk me through what happened when the engineer arrived?"),
    ("open_question", "what did the shop say when you took it back"),
    ("open_question", "Could you tell me a bit more about the charges you're seeing?"),
    ("open_question", "OK, and how has this left you with the children's party?"),
    ("paraphrase", "So nobody has called you back in two weeks of waiting, have I understood that correctly?"),
    ("paraphrase", "Just so I'm clear, you've been waiting a fortnight and no one rang you back?"),
    ("empathy", "I can completely understand why you're annoyed about that."),
    ("empathy", "That must be really stressful, waiting with no news."),
    ("empathy", "i'd be fed up too if that happened to me"),
    ("empathy", "Two weeks with no call back sounds exhausting, honestly."),
    ("apology", "I do apologise for the wait you've had."),
    ("apology", "im really sorry nobody got back to you"),
    ("apology", "My apologies for the mix-up with your order."),
    ("action", "I'll book an engineer for Thursday morning and email you the confirmation."),
    ("action", "Let me arrange a replacement handset to go out today."),
    ("action", "I've processed the refund to your original card."),
    ("policy", "As it's faulty, the Consumer Rights Act gives you the right to a repair or replacement, "
               "so I'll arrange that."),
    ("policy", "Because of data protection, only the account holder can give us permission, but he can do that "
               "online."),
    ("escalation", "This needs approval above my level, so I'm passing it to my team leader, who will call you "
                   "by 4pm."),
    ("escalation", "I'll refer this to our complaints team today and they'll write to you within five working days."),
    ("check", "Does that sound like a fair way forward?"),
    ("check", "Is there anything else I can do for you while you're on?"),
    ("check", "Would Friday work for you?"),
    ("thanks", "Thanks for being so patient with me."),
    ("thanks", "I really appreciate you explaining all that."),
    ("record", "I've logged this as case 55120 so anyone you speak to can see it."),
    ("record", "I'll ring you on Monday to check the engineer turned up."),
    ("verify", "Before I can discuss the account, could you confirm your date of birth?"),
    ("verify", "I'm afraid I can't share details of someone else's account with you."),
    ("defensive", "Well that's not my fault, I wasn't even on shift."),
    ("defensive", "You should have read the delivery terms before ordering."),
    ("dismissive", "Honestly, it's only a few days late, there's no need to get upset."),
    ("dismissive", "There's nothing else I can do, you'll have to contact the manufacturer."),
    ("policy_wall", "It's company policy and I can't change it."),
    ("over_promise", "I promise this will never happen again."),
    ("over_promise", "I guarantee the engineer will be there first thing."),
    ("admits_fault", "Yeah that's completely our fault, the engineers are always messing up."),
    ("unprofessional", "lol calm down mate"),
    ("unprofessional", "Whatever, I don't make the rules."),
    ("empathy", "I totally get why you're cross."),
    ("empathy", "I hear how frustrating this has been for you."),
    ("paraphrase", "To make sure I've got this right: you waited a fortnight and nobody rang you back?"),
    ("record", "I'll chase the engineers today and call you back before 5 with an update."),
    ("escalation", "Our repairs team handles this, so I'm raising it with them as urgent today."),
    ("escalation", "That's beyond what I can fix on the phone, so I'll escalate it and you'll hear by Friday."),
    ("policy", "Visits normally take 5 working days under our repairs policy, so yours is overdue."),
    ("policy_wall", "Our policy. Nothing I can do."),
    ("defensive", "It says here the engineer called twice, so that's on your side."),
]

NEGATIVE = [
    ("open_question", "Is your postcode SW1A 1AA?"),
    ("open_question", "I'll send that now."),
    ("apology", "I'm sorry you feel that way."),
    ("apology", "Sorry, but there's nothing I can do about it."),
    ("empathy", "I understand, but the policy is clear."),
    ("action", "We'll look into it."),
    ("action", "What would you like me to do?"),
    ("escalation", "You'll have to speak to someone else about that."),
    ("paraphrase", "I see."),
    ("boundary", "Thanks for waiting."),
    ("thanks", "Thanks for nothing."),
    ("policy_wall", "Under the Consumer Rights Act you're entitled to a refund, so I'll process it now."),
    ("thanks", "I appreciate this has been really stressful."),
    ("record", "The engineers will call you back by Friday."),
    ("unprofessional", "I'm sorry, that sounds really frustrating."),
]


@pytest.mark.parametrize(("mark", "reply"), POSITIVE)
def test_gives_the_mark(mark, reply):
    result = rule_assessment(reply, ANGRY)
    assert mark in result.marks, result
    assert result.evidence[mark] in reply


@pytest.mark.parametrize(("mark", "reply"), NEGATIVE)
def test_withholds_the_mark(mark, reply):
    assert mark not in rule_assessment(reply, ANGRY).marks


def test_boundary_only_when_the_customer_is_abusive():
    warning = "I want to help, but if the name-calling carries on I'll have to end the call."
    assert "boundary" in assess_reply(warning, ABUSIVE).marks
    passionate = "I can't believe you've cancelled! I've waited all year for this gig!"
    marks = assess_reply(warning, passionate).marks
    assert "boundary" not in marks and "dismissive" in marks
    assert "boundary" in assess_reply(warning, "Fine.", ReplyContext(customer_abusive=True)).marks


def test_offers_beyond_authority_are_over_promises():
    ctx = ReplyContext(authority_limit=Decimal(25))
    over = assess_reply("I'll credit £60 to your account today.", "I want compensation.", ctx)
    assert "over_promise" in over.marks and "action" not in over.marks
    assert over.offered_amounts == (Decimal(60),)
    within = assess_reply("I'll credit £20 to your account today.", "I want compensation.", ctx)
    assert "over_promise" not in within.marks and "action" in within.marks
    mention = assess_reply("So you were charged £420 too much, is that right?", "I was overcharged £420.", ctx)
    assert mention.offered_amounts == () and "over_promise" not in mention.marks


@pytest.mark.parametrize("reply", ["", "   ", "\u200b\u200b", "🙂", "\x00\x01"])
def test_empty_and_odd_replies_have_no_marks(reply):
    assert assess_reply(reply, ANGRY).marks == ()


def test_huge_reply_is_handled_and_quoted_from_the_original():
    reply = "I’m so sorry — what happened? " + "blah " * 50_000
    result = assess_reply(reply, ANGRY)
    assert {"apology", "open_question"} <= set(result.marks)
    assert all(quote in reply for quote in result.evidence.values())


def test_curly_quotes_and_missing_apostrophes():
    assert "defensive" in assess_reply("Thats not my fault", ANGRY).marks
    assert "apology" in assess_reply("I’m sorry about this", ANGRY).marks
    assert "dismissive" in assess_reply("we cant do anything about it", ANGRY).marks


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


BROADBAND = "My broadband has been down for four days and I work from home. Nobody has fixed it!"
MORE_POSITIVE = [
    ("open_question", "what lights are showing on the router at the moment"),
    ("paraphrase", "If I understand correctly, the internet's been down since Monday and no engineer has come out?"),
    ("empathy", "Four days without internet when you work from home must be incredibly stressful."),
    ("apology", "Apologies for the trouble this has caused."),
    ("action", "I'm booking an engineer visit for tomorrow morning between 8 and 1."),
    ("action", "I've run a line test and I'm sending a new router out today."),
    ("policy", "Our service guarantee says repairs are done within 48 hours, so you're due compensation."),
    ("escalation", "I'm escalating this to our network team as a priority fault; they'll update you by 6pm."),
    ("check", "Is there anything else you'd like me to look at while I've got you?"),
    ("record", "I'll give you a ring on Thursday to make sure everything's working."),
    ("verify", "For security, could you give me your date of birth please?"),
    ("defensive", "If you'd rebooted the router like we told you, it would be fine."),
    ("dismissive", "It's only broadband, you can use your phone."),
    ("dismissive", "There's really nothing more I can do today."),
    ("policy_wall", "That's just how our repair process works, I'm afraid."),
    ("over_promise", "It will definitely be fixed tomorrow, 100%."),
    ("unprofessional", "Ugh, fine, whatever you want."),
]
MORE_NEGATIVE = [
    ("apology", "I'm sorry but that's just the way it is."),
    ("check", "Is the light red?"),
    ("over_promise", "I'll aim to get an engineer to you tomorrow, and I'll confirm the slot by text."),
    ("admits_fault", "I'm sorry this has happened."),
    ("action", "I've checked it and the bill is correct, that's the end of it."),
]




RESTAURANT = "I booked a table for my mum's 70th and when we arrived you'd given it away. In front of everyone!"
THIRD_POSITIVE = [
    ("empathy", "I'm sure that was mortifying in front of your family."),
    ("paraphrase", "So you'd booked for your mum's 70th, arrived, and found the table had been given to someone else?"),
    ("open_question", "Who did you speak to when you arrived?"),
    ("action", "I'd like to offer you a complimentary meal for the whole party on a date of your choosing."),
    ("record", "I've made a note on your booking and I'll follow this up with the duty manager."),
    ("check", "Would you be happy with that?"),
    ("dismissive", "These things happen on busy nights."),
    ("defensive", "The system shows you didn't confirm the booking, so that's why."),
    ("unprofessional", "Not my problem, love."),
    ("admits_fault", "Yeah, our front-of-house staff are clueless, total shambles."),
    ("escalation", "I'm going to refer this to our general manager, who'll contact you within two days."),
]
THIRD_NEGATIVE = [
    ("apology", "Sorry, what was the name on the booking?"),
    ("empathy", "I understand. Anyway, what's your booking reference?"),
    ("check", "Is the booking under your name?"),
    ("open_question", "Did you arrive on time?"),
]




PARCEL = "I ordered a birthday present for my son and it arrived smashed. His birthday is tomorrow!"
FOURTH_POSITIVE = [
    ("empathy", "I appreciate how frustrating this must be, especially with his birthday tomorrow."),
    ("apology", "I'm sorry for any inconvenience this has caused."),
    ("action", "What I can do is send a replacement today by courier."),
    ("open_question", "Could I ask what exactly was damaged?"),
    ("policy", "As the item arrived damaged, you're entitled to a replacement or a full refund."),
    ("dismissive", "It's just a toy, I'm sure he'll survive."),
    ("defensive", "The courier damaged it, not us, so you'll need to take it up with them."),
    ("over_promise", "I'll make sure it's there first thing tomorrow, no problem at all."),
    ("unprofessional", "Oh dear, what a drama."),
    ("verify", "Can I just check the name and postcode on the order?"),
]
FOURTH_NEGATIVE = [
    ("open_question", "What I can do is send a replacement today by courier."),
    ("empathy", "Oh dear, what a drama."),
    ("over_promise", "I'll send the replacement by next-day delivery, which usually arrives by 1pm."),
]


OTHER_CONTEXTS = [(BROADBAND, MORE_POSITIVE, MORE_NEGATIVE), (RESTAURANT, THIRD_POSITIVE, THIRD_NEGATIVE),
                  (PARCEL, FOURTH_POSITIVE, FOURTH_NEGATIVE)]


@pytest.mark.parametrize(("customer", "mark", "reply"),
                         [(c, m, r) for c, pos, _ in OTHER_CONTEXTS for m, r in pos])
def test_gives_the_mark_in_other_contexts(customer, mark, reply):
    assert mark in rule_assessment(reply, customer).marks


@pytest.mark.parametrize(("customer", "mark", "reply"),
                         [(c, m, r) for c, _, neg in OTHER_CONTEXTS for m, r in neg])
def test_withholds_the_mark_in_other_contexts(customer, mark, reply):
    assert mark not in rule_assessment(reply, customer).marks


# Ratchet: the share of these phrasings on which the trained assessor agrees with the tables.
# It reads whole replies and was never trained on them; raise this when it rises, never lower it.
AGREEMENT_FLOOR = 0.88


def test_the_trained_assessor_mostly_agrees_with_the_phrasing_tables():
    items = [(ANGRY, m, r, True) for m, r in POSITIVE] + [(ANGRY, m, r, False) for m, r in NEGATIVE]
    items += [(c, m, r, True) for c, pos, _ in OTHER_CONTEXTS for m, r in pos]
    items += [(c, m, r, False) for c, _, neg in OTHER_CONTEXTS for m, r in neg]
    misses = [(m, r) for c, m, r, wanted in items if (m in assess_reply(r, c).marks) != wanted]
    rate = 1 - len(misses) / len(items)
    print(f"\nagreement {rate:.3f} over {len(items)} phrasings; misses: {misses}")
    assert rate >= AGREEMENT_FLOOR
