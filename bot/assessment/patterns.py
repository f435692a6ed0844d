"""Phrase families for each reply-level mark, as regular expressions over normalised text.

Families, not sentences: each pattern stands for a way learners write a move (a frame plus a
slot), so new wordings of the same move are caught. Tested in tests/assessment/.
"""

from __future__ import annotations

import re


def _has_top_level_bar(pattern: str) -> bool:
    r"""True for "a|b" (the leading \\b would bind only to a), false for "a(?:b|c)"."""
    depth, in_class, i = 0, False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
        i += 1
    return False


def rx(*parts: str) -> re.Pattern[str]:
    r"""One compiled alternation; apostrophes are optional, as learners often type "cant" or "im".

    Neighbouring parts that start at a word boundary share one `\\b`, so the matcher tries them only
    where a word starts; the alternatives and their order are unchanged (a long reply costs a third).
    """
    runs: list[list[str]] = []
    for part in parts:
        at_word = part.startswith(r"\b") and not _has_top_level_bar(part)
        if at_word and runs and runs[-1][0] == "word":
            runs[-1].append(part[2:])
        else:
            runs.append(["word", part[2:]] if at_word else ["other", part])
    alternatives = [
        rf"\b(?:{'|'.join(f'(?:{p})' for p in run[1:])})" if run[0] == "word" else f"(?:{run[1]})" for run in runs
    ]
    return re.compile("|".join(alternatives).replace("'", "'?"))



I_WILL = r"(?:i(?:'| wi)ll|i will|i'm going to|i am going to|i'm gonna|let me|i can)"
I_DID = r"(?:i've|i have|i've just|i just|we've|we have)"
FEELING = (r"(?:frustrat\w*|stress\w*|upset\w*|worr\w*|annoy\w*|awful|horrible|humiliat\w*|disappoint\w*|cross|livid|"
    r"furious|unhappy|irritat\w*|anxious|nervous|sad|mad|fed-up|mortif\w*|awkward|degrading|insulting|"
           r"gutted|let-?down|fed up|hard|difficult|tough|terrible|rubbish|angry|anger|scary|exhaust\w*|"
           r"inconvenien\w*|concern\w*|unfair|distress\w*|embarrass\w*|hurt\w*|painful|a nightmare|"
           r"a lot to deal with|a pain|maddening|infuriat\w*|heartbreak\w*|devastat\w*|shock\w*|unsettl\w*)")

OPEN_START = re.compile(
    r"^(?:(?:ok(?:ay)?|so|and|right|sure|great|of course|no problem|thanks|thank you|i see|alright|"
    r"just so i know|(?:can|could|may) i (?:just )?ask|to help me|to understand)[ ,:-]+)*"
    r"(?:what|how|why|which|when|where|who)\b"
)
OPEN_INVITE = rx(
    r"\b(?:can|could|would|will) you (?:please )?(?:tell|talk|walk|take|explain|describe|share|say more|"
    r"let me know|give me (?:an idea|a sense|some idea|more|a bit|an overview|a picture))\b",
    r"\b(?:talk|walk|take) me through\b", r"\btell me (?:more|about|what|how|which|when|where|a bit)\b",
    r"\b(?:is there|was there) (?:something|anything) (?:specific|particular|in particular) (?:you're|you are|"
    r"that)\b",
    r"\bhelp me understand\b", r"\bin your own words\b",
)
RHETORICAL = rx(r"^what (?:i|we)(?:'ll| will| can|'m going to| am going to) do\b",
                r"\bwhat (?:do|did) you expect\b", r"\bwhy would (?:i|we)\b", r"\bwhat else do you want\b",
                r"\bwho do you think\b", r"\bhow (?:is|was) that my\b", r"\bwhat's your problem\b")
# "What was the name on the booking?": a wh- word asking for one fact, a closed question
CLOSED_ASK = rx(r"^(?:what|which)(?:'s| is| was| are| were) (?:your|the) (?:[\w-]+ ){0,2}(?:name|reference|ref|"
                r"number|postcode|post code|address|email|e-mail|date of birth|dob)\b")

PARAPHRASE_TAG = rx(
    r"\bis that (?:right|correct|what happened|what you mean|it|the case|fair to say)\b",
    r"\b(?:have|did|do) i (?:got|get|have|understood) (?:that|it|this|everything) (?:right|correctly)\b",
    r"\bam i (?:right|correct|understanding)\b", r"\bhave i understood\b", r"\bright\?\s*$",
    r"\bif i(?:'ve| have)? understood\b", r"\bif i understand (?:you|that|this|correctly|rightly)\b",
    r"\bjust so i(?:'m| am)? (?:clear|understand|sure)\b", r"\bso what you(?:'re| are) saying\b",
    r"\bto (?:sum|summari[sz]e|recap)\b",
    r"\b(?:make sure|check|be sure) i(?:'ve| have)? (?:got|understood|understand|heard)\b",
    r"\bso i(?:'ve| have) got (?:this|that|it) right\b",
)
PARAPHRASE_START = re.compile(
    r"^(?:(?:ok(?:ay)?|right|so|and|alright)[ ,:-]+)*(?:so\b|you(?:'ve| have| were| had| drove| paid| took| "
    r"bought| called| waited| lost| tried| went| booked|'re telling| are telling| said| told| mentioned)\b)"
)

EMPATHY = rx(
    r"\bi (?:can |could )?(?:completely |totally |really |definitely |only |absolutely |fully )?(?:see|hear|"
    r"imagine|understand|tell|appreciate|get) (?:why|how|that|what|this|it|just how|you(?:'re| are| must))",
    r"\bi (?:completely |totally |really |fully |do )?(?:understand|appreciate) (?:how|why|that|it|this|what|"
    r"you(?:'re| are| must| have been| feel)|your(?! (?:patience|time|help|understanding|call|business|custom|"
    r"feedback|co-?operation)))\b",
    r"\bi get (?:that|it|why|how)\b",
    rf"\b(?:that|this|it)(?:'s| is| was| sounds| must (?:be|have been|feel)| would be| seems)(?: like)?"
    rf"(?: really| so| very| incredibly| such| hugely| a)*(?: a| an)? {FEELING}",
    rf"\bi know (?:that's|that is|it's|it is|how|this is)(?: really| so| very)? {FEELING}",
    r"\bi know how\b", r"\bi(?:'d| would) (?:be|feel) (?:\w+ ){0,3}(?:too|as well|the same)\b",
    r"\banyone would (?:be|feel)\b", r"\bno wonder you\b", r"\bof course you(?:'re| are| feel)\b",
    r"\bmust (?:have )?(?:felt|feel|be) (?:\w+ )?(?:awful|horrible|humiliating|frustrating|stressful|upsetting)",
    r"\bthat's not how anyone should\b", r"\bi(?:'m| am) (?:so |really )?sorry to hear\b",
    r"\b(?:oh no|oh dear)\b", rf"\bwhat a {FEELING}",
    rf"\b(?:money|bill|billing|cost|financial) (?:worries|stress|problems) (?:are|can be) (?:really )?{FEELING}",
    r"\b(?:completely|totally|perfectly) understandable\b", r"\bi hear you\b",
    rf"\byou(?:'re| are| must be| sound) (?:\w+ )?{FEELING}",
    rf"\b(?:sounds|sounded|must be|must have been|must feel|seems|looks) (?:like )?(?:it's been )?"
    rf"(?:really |so |very |incredibly |absolutely |a )?{FEELING}",
)
EMPATHY_NOT = rx(r"\bsorry you feel\b", r"\bi understand,? but (?:the |our )?(?:policy|rules|there's nothing)\b")

APOLOGY = rx(
    r"\b(?:i'm|i am|im|we're|we are) (?:so |really |very |truly |terribly |deeply |sincerely |genuinely )*sorry\b",
    r"\bi (?:do )?apologi[sz]e\b", r"\bwe apologi[sz]e\b", r"\bmy apologies\b", r"\bapologies for\b",
    r"\bsorry (?:about|for|that|this)\b", r"\bsorry\b",
)
APOLOGY_NOT = rx(r"\bsorry (?:if )?you feel\b", r"\bsorry,? but\b", r"\bsorry you think\b",
                 r"\bsorry,? (?:there's|there is) nothing\b", r"\bnot sorry\b", r"\bsorry\?")

ACTION = rx(
    r"\bi(?:'d| would) like to (?:offer|arrange|send|book|give|refund|replace|credit|reserve)\b",
    r"\bwhat (?:i|we) (?:can|will|'ll|'m going to) do is\b",
    # not the limit of a remit: "that's beyond what I can fix on the phone"
    rf"(?<!beyond what )(?<!above what )(?<!more than )\b{I_WILL} "
    r"(?:(?:now|personally|just|also|definitely|quickly|straight away|right away) )*"
    r"(?:arrange|send|process|book|rebook|re-book|refund|replace|(?:double[- ]?)?check|look (?:at|into)|look up|"
    r"sort|get|set up|"
    r"issue|credit|cancel|update|organise|organize|take care|order|reserve|"
    r"put (?:in|through|a)|fix|correct|adjust|amend|reissue|re-send|resend|find|confirm|help you|see what|"
    r"offer|give you(?! a (?:ring|call|bell))|refer you|waive|apply|transfer the|add|start|do that|"
    r"go ahead|move|change|switch|chase|"
    r"investigate|request|raise a|open a|speed up|prioriti[sz]e|expedite)\b",
    rf"\b{I_DID} (?:now |just |already )?(?:arranged|sent|processed|booked|rebooked|issued|credited|cancelled|"
    r"canceled|refunded|ordered|reserved|applied|corrected|updated|reissued|set up|put through|run|ran|reset|"
    r"fixed|changed|added|removed|waived|raised a)\b",
    r"\b(?:i'm|i am|we're|we are) (?:now |just |also )?(?:booking|sending(?! (?:this|it) (?:over|on|up|through))|"
    r"arranging|processing|issuing|ordering|"
    r"crediting|refunding|setting up|sorting|organising|organizing|replacing|putting through|cancelling|adding|"
    r"rebooking|resetting|fixing|applying|waiving|chasing)\b",
    r"\blet's (?:look|see|get|sort|set up|find|go|book|arrange|work|check)\b",
    r"\b(?:he|she|they|you) (?:can|could) (?:add|call|ring|log in|authori[sz]e|apply|fill in|set up|email|"
    r"update|give)\b",
    r"\b(?:quickest|best|easiest|simplest) (?:route|way|option) is\b",
    r"\b(?:the |your )?(?:refund|replacement|credit|voucher|form|money|engineer|parcel|delivery|driver) "
    r"(?:will|is going to|goes|is on its way|will be|is being)\b",
    r"\b(?:it's|it is) on (?:its|it's) way\b", r"^done\b",
    r"\bthere's (?:a|an) [\w ]{1,30} (?:i|we) can (?:send|give|offer|arrange|book)\b",
    r"\b(?:billing|the \w+ team|my (?:team leader|supervisor|manager)|the branch manager|the (?:engineers?|"
    r"technicians?|couriers?|drivers?)|they|she|he) will "
    r"(?:review|look|check|fix|correct|call|contact|ring|sort)\b[^.]{0,60}\b(?:by|within|before|on|today|tomorrow)\b",
)
ACTION_NOT = rx(r"\bwe(?:'ll| will) look into it\b\.?\s*$", r"\b(?:i'll|i will) (?:make sure|ensure) (?:nothing|"
                r"this never|it never|that never)\b")

POLICY = rx(
    r"\bunder (?:the )?(?:consumer rights|equality|data protection|gdpr|uk gdpr|consumer)\b",
    r"\b(?:consumer rights|equality|data protection) act\b", r"\bgdpr\b",
    r"\byou(?:'re| are) (?:legally )?entitled\b", r"\byou have (?:the|a) (?:legal )?right\b",
    r"\bthe law (?:says|means|requires|gives|protects|is clear)\b", r"\b(?:legally|by law)\b",
    r"\b(?:our|the|company) (?:\w+ )?(?:policy|procedure|process|terms)\b",
    r"\b(?:have|has) to be (?:made|done|approved|authori[sz]ed|handled) by\b",
    r"\b(?:i'm|i am) (?:able|allowed|authori[sz]ed) to offer\b", r"\bup to £\s?\d+\b",
    r"\bonly the account holder\b", r"\bnot able to discuss an account\b",
    r"\b(?:is|are) automatic(?:ally)?\b", r"\b(?:aren't|are not|isn't|is not) covered by\b",
    r"\ba duty to\b", r"\breasonable adjustments?\b", r"\bwithin (?:\d+|thirty|fourteen) days\b",
    r"\bthe rules? (?:say|says|mean|is|are)\b", r"\bfor (?:security|data protection) reasons\b",
    r"\bauthori[sz]ed (?:person|user|third part)\b",
    r"\b(?:service guarantee|customer charter|service standards?|our terms|the terms|regulations?|ofcom|ombudsman|"
    r"returns policy|refund policy)\b", r"\byou(?:'re| are) (?:due|owed|eligible for)\b",
    r"\b(?:returns?|refunds?|exchanges?)\b[^.?!]{0,30}\b(?:after|outside|beyond|over) (?:the )?(?:\d+|thirty|"
    r"fourteen|twenty-eight)[- ](?:days?|weeks?|months?)\b",
)
# The limit of the learner's own remit: a policy reason on its own, but inside an escalation it is the
# escalation's reason ("That's beyond what I can fix, so I'll escalate it"), not a policy explained.
REMIT_LIMIT = rx(r"\babove what i can (?:authori[sz]e|approve|offer|do)\b", r"\bbeyond (?:what i can|my authority)\b")
POLICY_WALL = rx(
    r"\brules are rules\b", r"\bcomputer says no\b", r"\bi can't change (?:it|that|the (?:policy|rules))\b",
    r"^(?:because i can't\.? )?(?:it's |that's |its |thats )?(?:(?:company|our|the) )?(?:policy|data protection|"
    r"procedure|gdpr)[.!]*$",
    r"\b(?:that's|that is|it's|it is) (?:just )?(?:(?:the|company|our) )?(?:policy|procedure|the rules)\b"
    r"(?:[^.?!]*)(?:nothing (?:else )?(?:to say|i can do)|can't change|end of|sorry|i'm afraid|\.?\s*$)",
    r"\bbecause i can't\b", r"\b(?:no|not allowed)\. (?:policy|data protection|rules)\b",
    r"\b(?:that's|it's|that is|it is) (?:just )?(?:how|the way) (?:it|things|we|"
    r"our [\w ]{1,25}) (?:works?|is|are|goes)\b",
    r"\bpolicy\.?\s*$", r"\b(?:the|our) (?:policy|rules?) (?:is|are) (?:very |quite )?clear\b",
)

ESCALATION_VERB = (r"(?:pass\w*|hand\w*|refer\w*|escalat\w*|transfer\w*|report\w*|send\w* (?:this|it|your \w+) "
                   r"(?:over|up|on|through)|rais\w* (?:this|it) with|forward\w*|put\w* you through|get\w*)")
ESCALATION_TARGET = (r"(?:team leader|supervisor|manager|specialist|billing team|billing|complaints team|"
                     r"senior|branch manager|colleague|my team|the team|line manager|duty manager|finance team|"
                     r"refunds team|returns team|technical team|specialist team|(?:the )?\w+ team|"
                     r"someone (?:more )?senior|head office|customer relations)")
ESCALATION = rx(
    rf"\b(?:i'll|i will|i'm|i am|i've|i have|let me|i'm going to|i can|so i'm|and i'll)\s+(?:now |just |also |"
    rf"straight away |personally )*{ESCALATION_VERB}\b[^.?!]{{0,60}}\b{ESCALATION_TARGET}\b",
    r"\b(?:i'm|i am|i'll|i will) (?:sending|passing|handing) (?:this|it) (?:over|on)\b",
    r"\b(?:i'll|i will|i'm|i am|let me|i'm going to|i am going to|so i'm|and i'll)\s+(?:now |just |also )?"
    r"escalat\w*\b",
    rf"\b{ESCALATION_TARGET}\b[^.?!]{{0,60}}\b(?:i'm|i am|i'll|i will) (?:raising|passing|sending|handing|"
    r"referring|escalating) (?:it|this)\b",
    # the second of two steps: "I'm logging it now and escalating it to the branch manager"
    rf"\b(?:i'm|i am|i'll|i will|i've|i have)\b[^.?!]{{0,60}}\b(?:and|then)\s+(?:i'll\s+|i'm\s+|i will\s+|i am\s+)?"
    rf"(?:escalat|pass|hand|refer|transferr?)\w*\s+(?:it|this|the \w+|your \w+)\b[^.?!]{{0,40}}\b{ESCALATION_TARGET}\b",
)
ESCALATION_NOT = rx(r"\bbut first\b", r"\bif you (?:want|like|prefer|insist)\b", r"\byou(?:'ll| will) have to\b")

CHECK = rx(
    r"\bdoes (?:that|this|it|everything)(?: all)? (?:sound|make sense|work|help|cover|seem|suit)\b",
    r"\b(?:does|would|will|is|could) [\w ]{1,30} (?:definitely |still )?(?:work|suit|be ok|be okay|be alright) "
    r"(?:for )?you\b",
    r"\bis (?:that|this|everything) (?:ok|okay|alright|all right|fair|acceptable|clear|suitable)\b",
    r"\bare you (?:happy|ok|okay|comfortable|content) (?:with|for|if)\b", r"\bare you happy\b",
    r"\banything else (?:i|we) can\b", r"\bis there anything else\b", r"\banything else (?:you need|today)\b",
    r"\bwould (?:that|this) (?:be ok|be okay|work|help|suit|be acceptable)\b", r"\bhow does (?:that|this) sound\b",
    r"\bdo you understand\b", r"\bhave i explained\b", r"\bdoes that answer\b", r"\bis that clear\b",
    r"\bjust to check,? (?:does|is|are|would|can)\b", r"\bcan i help with anything else\b",
    r"\bhave i covered everything\b", r"\bdoes that cover\b", r"\bwill that (?:work|help|do)\b",
    r"\bis there anything (?:more|further)\b",
    r"\bwould you be (?:happy|ok|okay|comfortable|content|alright) (?:with|if|for)\b",
)

THANKS = rx(r"\bthank(?:s| you)\b", r"\bi (?:really |do )?appreciate (?:your\b|you (?!are|were|must|have been)|"
            r"(?:that|it|this)(?=\s*[.!,]|\s*$))", r"\bcheers\b",
            r"\bmany thanks\b", r"\bta\b")
THANKS_NOT = rx(r"\bthanks for nothing\b", r"\bno thanks\b")

BOUNDARY = rx(
    r"\b(?:can't|cannot|won't|will not|not able to|unable to|can not) (?:continue|carry on|keep|help you if|"
    r"be spoken|go on|listen to)\b",
    # "I won't accept being called names", not "we cannot accept returns after 30 days"
    r"\b(?:can't|cannot|won't|will not|not able to|unable to|can not) (?:accept|tolerate) (?:[\w-]+ ){0,4}?"
    r"(?:being|abuse|abusive|insults?|swearing|language|names|name-calling|rudeness|shouting|behaviou?r|"
    r"comments|remarks|threats)\b",
    r"\b(?:language|swearing|insults?|name-calling|names|abuse|abusive|personal (?:comments|remarks|insults))\b"
    r"[^.?!]{0,40}\b(?:stop|need to|needs to|has to|have to|can't|won't|isn't|is not|not acceptable|unacceptable)\b",
    r"\bif (?:it|this|that|the (?:swearing|language|abuse|shouting)|you (?:continue|carry on|keep))"
    r"[^.?!]{0,30}\b(?:continues|carries on|happens again|keep|continue|carry on)\b",
    r"\b(?:end|close|terminate|finish)(?:ing)? (?:the|this|our) (?:call|chat|conversation)\b",
    r"\bi've asked you (?:twice|to stop|already|again)\b", r"\b(?:please )?(?:don't|do not) (?:swear|call me|shout)\b",
    r"\bwon't accept being\b",
)

DEFENSIVE = rx(
    r"\b(?:it's|it is|that's|that is|its|thats) not (?:my|our|me|us) (?:fault|doing|responsibility)\b",
    r"\bnot down to (?:me|us)\b", r"(?<!than )\byou should(?:'ve|n't| have| not have|ve)\b",
    r"\bi only started\b", r"\bi just work here\b", r"\bi(?:'m| am) (?:only|just) the\b",
    r"\b(?:the )?(?:warehouse|couriers?|drivers?|shop|other department|store|system|engineers?|"
    r"delivery (?:company|team)) (?:messed up|is to blame|are to blame|are a joke|is a joke|got it wrong|"
    r"'s fault|is at fault)\b",
    r"\bthat's not true\b", r"\bwe're not like that\b", r"\bi didn't (?:do|say)\b",
    r"\byou (?:didn't|did not|never|failed to) (?:read|follow|keep|check|tell|confirm|book|pay|call|cancel|arrive|"
    r"turn up|reply|respond|update|provide|send)\b", r"\bif you had (?:read|kept|checked)\b",
    r"\byou were told\b", r"\bnot my (?:fault|problem)\b",
    r"\bif you(?:'d| had)\b[^.?!]{0,60}\b(?:would(?:n't|'ve| have| be)?|like (?:we|i) (?:told|asked|said))\b",
    r"\b(?:like|as) (?:we|i) (?:told|asked|advised) you\b", r",\s*not (?:us|me)\b", r"\bblame (?:the|them|our)\b",
    r"\b(?:that's|it's|that is|it is) (?:on|down to|up to) (?:your|the) (?:bank|end|side|courier|card provider)\b",
)
DISMISSIVE = rx(
    r"\bcalm down\b", r"\b(?:it's|that's|it is|that is|its|thats) only\b", r"\bonly a tenner\b",
    r"\b(?:it's|that's|it is|that is) just (?:a|an) \w+(?:[.!,]|\s*$)",
    r"\b(?:he|she|you|they)(?:'ll| will) (?:survive|live|get over it|cope)\b",
    r"\b(?:there's|there is|theres) (?:really |honestly |simply |just )?nothing (?:else |more |"
    r"further )?(?:i|we) can\b",
    r"\bnothing (?:else |more |further )?(?:i|we) can do\b",
    r"\bnothing else to (?:say|discuss)\b", r"\bsorry (?:if )?you feel (?:that way|like that)\b",
    r"\b(?:aren't|isn't|not|is not|are not) (?:our|my) (?:problem|concern|department|issue)\b",
    r"\byou(?:'ll| will) (?:have|need) to (?:ring|call|contact|go|speak|email|write|take it)\b",
    r"\bthat's the end of (?:it|that|the matter)\b", r"\bend of (?:story|discussion)\b",
    r"\b(?:deliveries|these things|it|mistakes|delays) happens?\b", r"\byou're overreacting\b",
    r"\bno need to (?:shout|get upset|be like that)\b", r"\bshouting won't\b",
    r"\b(?:we|i) can(?:'t|not) do anything\b", r"\bcan't help (?:you )?(?:with that|there)\b",
    r"\bif you keep (?:raising your voice|shouting|getting)\b", r"\bnot a big deal\b", r"\bwhat a (?:drama|fuss)\b",
)
OVER_PROMISE = rx(
    r"\bi (?:guarantee|promise)\b", r"\b(?:it's|it is|that's|you're|you are) guaranteed\b", r"\b(?:never|"
    r"won't ever|will never) happen again\b",
    r"\b(?:definitely|certainly) (?:cover|refund|pay|get|be sorted|be there|arrive|fix)\b",
    r"\b(?:refund|pay|give|compensate|credit)\w* (?:you )?double\b", r"\bdouble (?:the|your) (?:money|refund)\b",
    r"\b100 ?%(?!\s*(?:on us|of|our))",
    r"\b(?:will|'ll) (?:definitely|certainly|absolutely) (?:be (?:fixed|sorted|there|done|delivered|resolved|back|"
    r"refunded|paid)|arrive|work|get)\b",
    r"\b(?:i'll|i will) (?:make sure|ensure) (?:nothing|this never|it never|that never|no one)\b",
    r"\b(?:any|all|every one) of our (?:branches|stores|shops|staff)\b", r"\bdon't worry about (?:that|it)\b",
    r"\bi(?:'ll| will) make sure (?:it(?:'s| is| arrives| gets| will be)|you (?:get|have|receive))\b[^.?!]{0,30}"
    r"\b(?:tomorrow|tonight|today|first thing|by)\b",
)
ADMITS_FAULT = rx(
    r"\b(?:it's|that's|it is|that is|its) (?:completely |totally |entirely |100% |all |definitely )*"
    r"(?:our|my) fault\b",
    r"\b(?:it's|its|that's) (?:100% |all |completely )?on us\b",
    r"\bwe(?:'ve| have)? (?:obviously |clearly |definitely )?(?:messed up|got it wrong|broke the law|"
    r"overcharged you)\b",
    r"\b(?:were|was) (?:totally |completely |clearly )?in the wrong\b", r"\bbroke the law\b",
    r"\bour (?:\w+ )?(?:system|staff|drivers?|billing people|people|team|assistant) (?:clearly |obviously )?"
    r"(?:messed up|are useless|is useless|are hopeless|were wrong|broke|got it wrong)\b",
    r"\byou're right,? we\b",
    r"\bour (?:[\w-]+ ){0,3}(?:staff|team|people|drivers?|engineers?|system|managers?|assistants?) (?:are|is|were|was) "
    r"(?:clueless|useless|hopeless|incompetent|rubbish|a shambles|a joke|a mess|terrible)\b",
    r"\b(?:total|complete|utter) shambles\b",
)
# "whatever" as a shrug ("Whatever.", "fine, whatever you want"), not "refund whatever you've paid"
WHATEVER_SLANG = r"(?:^|[.!?,]\s*)whatever\b(?!\s+(?:you've|you have|your|it|is|the|they|we|i|that|was|has|have)\b)"
UNPROFESSIONAL = rx(
    r"\bf[\*u]\w*k", r"\bf\*+", r"\bshit\b", r"\bbloody\b", r"\bdamn\b", r"\bcrap\b", r"\bpiss\w*\b",
    r"\bmate\b", r"\blol\b", r"\blmao\b", r"\bdunno\b", WHATEVER_SLANG,
    r"\byeah right\b", r"\bidiot\b",
    r"\bthick\b", r"\bmoron\b", r"\bstupid\b", r"\bdon't you dare\b", r"\bsomeone's in a mood\b",
    r"\bhopeless\b", r"\buseless\b", r"\ba joke\b", r"\bclueless\b", r"\bshambles\b",
    r"\blove\b[.!]?\s*$", r"\bchill\b", r"\binnit\b", r"\bwtf\b", r"\bomg\b",
    r"\bget a grip\b", r"\bnot my problem\b",
    r"\bdrama\b", r"\bboo hoo\b", r"\bthanks for nothing\b", r"\bbig deal\b", r"\bwho cares\b", r"\bgrow up\b",
    r"\bcry (?:me )?a river\b",
)
ABUSE = rx(
    r"\bf[\*u]\w*k", r"\bf\*+", r"\bsh[\*i]t\w*", r"\bbastard", r"\bidiot", r"\bmoron", r"\buseless\b",
    r"\bthick\b", r"\bstupid\b", r"\bincompetent\b", r"\bthie(?:f|ves)\b", r"\bliars?\b", r"\bpathetic\b",
    r"\bclowns?\b", r"\bshut up\b", r"\bbrain ?dead\b", r"\bimbecile", r"\bcretin", r"\bdonkey\b",
    r"\bb\*+", r"\bc\*+t", r"\bpr[i\*]ck", r"\bdickhead", r"\bbloody\b", r"\bdamn you\b", r"\bjobsworth\b",
)
OFFER_VERB = re.compile(
    r"\b(?:i(?:'| wi)ll|i will|i can|i'm able to|i am able to|let me|we(?:'ll| will| can)|i'm going to|"
    r"i've|i have|i'm|i am)\b[^.?!;]{0,40}\b(?:refund\w*|give|giving|offer\w*|pay(?:s|ing)?\b|paid|credit\w*|"
    r"compensat\w*|sort|cover\w*|put|send\w*|process\w*|arrange\w*|add\w*|waive\w*|voucher)"
)

RECORD = rx(
    rf"\b(?:{I_WILL}|{I_DID}|i'm|i am|i've now)\s+(?:just |now |also |already )?(?:log\w*|record\w*|not(?:e|ed|ing)|"
    r"made a note|make a note|document\w*|writ\w* (?:this|it) (?:up|down)|add\w* a note)\b"
    r"[^.?!]{0,40}\b(?:complaint|incident|this|it|what happened|a note|reference|case|ticket|account|details|"
    r"record)\b",
    rf"\b(?:{I_WILL}|{I_DID}|i'm|i am)\s+(?:just |now |also )?(?:rais\w*|open\w*)\s+(?:a |an |this as a |it as a )?"
    r"(?:formal )?(?:complaint|case|ticket|incident report)\b",
    r"\b(?:your |the )?(?:complaint |case |incident |ticket )?(?:reference|ref)(?: number)?(?: is|:)?\s*"
    r"(?:[a-z]{1,4}-?\d{2,}|\d{3,})\b",
    r"\b(?:complaint|case|incident|ticket) (?:number |no\.? |#)?[a-z]{0,4}-?\d{3,}\b",
    r"\b(?:i(?:'| wi)ll|i will|i'm going to|i am going to|i(?:'| wi)ll [^.?!;]{1,60} and)\s+"
    r"(?:personally |also |then )?(?:call|ring|phone|email|give you a (?:ring|call|bell)|drop you (?:a line|an email)|"
    r"contact|check in with|follow (?:this |it )?up with|get back to)\s+(?:you\b)?[^.?!]{0,40}\b"
    r"(?:on|by|before|after|at|in|next|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"within|to (?:check|make sure|see|confirm)|later|this (?:week|afternoon|evening)|once|with an update)\b",
    r"\b(?:i(?:'| wi)ll|i will) follow (?:this|it) up\b",
)
VERIFY = rx(
    r"\bconfirm (?:your|the)?\s*(?:full )?(?:name|postcode|post code|date of birth|dob|address|account|identity|"
    r"details|security|email|phone)\b",
    r"\bfor (?:security|data protection)(?: reasons| purposes)?\b", r"\bsecurity (?:questions?|checks?)\b",
    r"\bbefore (?:i|we) (?:go any further|discuss|can discuss|look|talk about|share)\b",
    r"\b(?:can|could|may) i (?:just )?(?:take|have|get|grab|check|confirm) (?:your|the) (?:full )?(?:name|postcode|"
    r"date of birth|address|account number|details)\b",
    r"\b(?:postcode|post code|date of birth|security questions?|memorable (?:word|information))\b",
    r"\b(?:can't|cannot|not able to|unable to|won't) (?:share|discuss|read out|give out|disclose|tell you|"
    r"access|pass on|talk about)\b[^.?!]{0,50}\b(?:another|someone else|other people|account (?:that|which) "
    r"isn't|isn't yours|not yours|isn't in your name|not in your name|third part|his|her|their|partner|"
    r"husband|wife|spouse)",
    r"\b(?:isn't|is not|not) in your name\b", r"\bisn't yours\b", r"\bdata protection\b", r"\bgdpr\b",
    r"\b(?:verify|check) (?:your|who you are|your identity)\b", r"\bfirst line of (?:your )?address\b",
)
