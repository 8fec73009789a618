"""Generated text for the benchmarks: health claims, reworded copies of them, pages
of ordinary sentences, and neutral sentences that carry no claim.

Word frequencies follow a Zipf-like law (the r-th commonest word is used about
1/r^1.1 as often as the first), with a long tail of made-up names (brands,
compounds, places) so that a large database has a realistic vocabulary. Everything
is drawn from a seeded `random.Random`, so a run is reproducible.
"""

from __future__ import annotations

import bisect
import itertools
import random


def _words(block: str) -> list[str]:
    return [w.strip() for w in block.replace("\n", " ").split(",") if w.strip()]


SUBJECTS = _words("""
vitamin c, vitamin d, vitamin b12, zinc, magnesium, iron supplements, fish oil, omega-3,
turmeric, curcumin, ginger, garlic, honey, apple cider vinegar, green tea, coffee, red wine,
dark chocolate, coconut oil, olive oil, raw milk, bone broth, kombucha, probiotics, collagen,
melatonin, ashwagandha, echinacea, elderberry, ginseng, kratom, cannabis, cbd oil, marijuana,
psilocybin, ketamine, ivermectin, hydroxychloroquine, chloroquine, remdesivir, paxlovid,
azithromycin, antibiotics, aspirin, ibuprofen, paracetamol, acetaminophen, statins, metformin,
insulin, chemotherapy, radiation therapy, homeopathy, acupuncture, chiropractic care, cupping,
reiki, colloidal silver, chlorine dioxide, bleach, hydrogen peroxide, baking soda, lemon water,
alkaline water, fluoride, fluoridated water, sunscreen, the mmr vaccine, the flu vaccine,
the hpv vaccine, covid vaccines, mrna vaccines, the polio vaccine, the measles vaccine,
booster shots, face masks, hand sanitiser, 5g towers, wifi routers, mobile phones,
microwave ovens, gmo foods, artificial sweeteners, aspartame, sugar, salt, red meat,
processed meat, eggs, dairy, gluten, soy, seed oils, fasting, intermittent fasting,
the keto diet, vegan diets, detox teas, juice cleanses, colon cleansing, essential oils,
tea tree oil, lavender oil, oregano oil, frankincense, cold showers, sauna sessions, grounding,
sunlight, blue light, breast milk, infant formula, water fluoridation, tap water,
bottled water, raw garlic, cinnamon, black seed oil, moringa, spirulina, chlorella, wheatgrass,
sea moss, iodine, selenium, potassium iodide, nicotine patches, vaping, e-cigarettes, smoking,
alcohol, energy drinks, caffeine, sleeping pills, antidepressants, ssris, birth control pills,
hormone therapy, testosterone, growth hormone, stem cells, ozone therapy, ultraviolet light,
hyperbaric oxygen, high-dose vitamin a, laetrile, apricot kernels, black salve
""")

CONDITIONS = _words("""
cancer, breast cancer, prostate cancer, lung cancer, skin cancer, leukaemia, diabetes,
type 2 diabetes, heart disease, high blood pressure, high cholesterol, stroke, obesity, autism,
adhd, asthma, allergies, eczema, psoriasis, arthritis, rheumatoid arthritis, osteoporosis,
alzheimer's disease, dementia, parkinson's disease, multiple sclerosis, epilepsy, migraines,
depression, anxiety, insomnia, chronic fatigue, fibromyalgia, covid-19, long covid, the flu,
the common cold, measles, mumps, whooping cough, polio, hiv, aids, hepatitis b, hepatitis c,
tuberculosis, malaria, lyme disease, shingles, herpes, hpv infection, infertility, miscarriage,
birth defects, sudden infant death syndrome, kidney stones, kidney failure, liver damage,
fatty liver disease, gout, acne, hair loss, tooth decay, gum disease, cataracts,
macular degeneration, hearing loss, tinnitus, ulcers, acid reflux, irritable bowel syndrome,
crohn's disease, coeliac disease, food poisoning, sepsis, pneumonia, bronchitis,
sinus infections, ear infections, urinary tract infections, yeast infections, parasites,
heavy metal poisoning, opioid addiction, alcoholism, nicotine addiction
""")

PREDICATES = _words("""
cures, prevents, causes, reverses, treats, kills, shrinks, boosts immunity against,
protects against, increases the risk of, lowers the risk of, doubles the risk of,
is a cause of, is linked to, eliminates, heals, is the real cause of, can trigger,
stops the spread of, weakens the body against, has no effect on, worsens,
speeds recovery from, removes the toxins behind, detoxes the body of,
is more effective than chemotherapy for, is safer than drugs for, makes you immune to,
is a hidden cause of, destroys the cells that cause, can undo, blocks
""")

GROUPS = _words("""
children, babies, pregnant women, older adults, teenagers, adults, men, women, athletes,
people with diabetes, nurses, doctors, patients, vegans, smokers, the elderly, newborns,
students
""")

# Ordinary words, commonest first: the head of the Zipf curve.
COMMON = _words("""
people, daily, day, time, years, study, doctors, new, body, health, natural, every, week,
weeks, risk, dose, high, low, help, use, research, experts, according, scientists, science,
medical, hospital, report, found, shows, data, government, official, officials, million,
percent, half, three, two, five, ten, hundred, thousand, times, month, months, morning, night,
hours, minutes, water, food, blood, cells, immune, system, brain, heart, skin, liver, kidney,
gut, bacteria, virus, viruses, infection, treatment, therapy, drug, drugs, medicine,
pharmaceutical, companies, big, pharma, secret, hidden, truth, cure, cures, doctor, nurse,
clinic, trial, trials, evidence, proof, proven, completely, totally, safe, dangerous, toxic,
chemicals, poison, effects, side, long, term, short, quickly, slowly, naturally, simple, cheap,
expensive, free, home, remedy, remedies, ancient, traditional, modern, western, eastern,
approved, banned, illegal, legal, fda, cdc, who, nhs, mainstream, media, news, video, photo,
post, posts, viral, shared, claim, claims, share, friends, family, mother, father, child, kids,
school, work, sleep, diet, exercise, weight, fat, sugar, energy, levels, pressure, test, tests,
results, lab, labs
""")

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ten",
    "vox",
    "zin",
    "dra",
    "pel",
    "qui",
    "ser",
    "tor",
    "vin",
    "xa",
    "bel",
    "cor",
    "dun",
    "fal",
    "gri",
    "hul",
    "jas",
    "mor",
]

NEUTRAL = [
    "The train to {place} was delayed by {n} minutes this morning.",
    "We planted {plant} along the fence last {season}.",
    "The museum opens at {n} o'clock on weekdays and stays open late on Fridays.",
    "My neighbour repainted the {room} a pale shade of {color}.",
    "The recipe calls for two cups of flour, a pinch of salt and {n} eggs.",
    "{team} won the match after a late goal in the second half.",
    "The library will be closed on {day} for staff training.",
    "Traffic on the {road} bridge was heavy because of roadworks.",
    "She bought a second-hand bicycle and rides it to the office on {day}s.",
    "The forecast says it will rain in {place} until {day} afternoon.",
    "Our flight landed in {place} just after midnight.",
    "The council voted to extend the opening hours of the swimming pool.",
    "He spent the weekend fixing the {room} shelves and sorting old books.",
    "Tickets for the concert in {place} sold out within {n} minutes.",
    "The café on the corner now serves breakfast until noon.",
    "Children in the {n}th grade visited the science museum on {day}.",
    "The hiking trail is about {n} kilometres long and fairly steep.",
    "I forgot my umbrella at the station again.",
    "The {color} car parked outside belongs to the new neighbours.",
    "Remember to water the {plant} twice a week in summer.",
    "The meeting was moved to {day} because half the team was away.",
    "The bakery sells fresh bread every morning from {n} a.m.",
    "They adopted a puppy from the shelter in {place}.",
    "The old lighthouse has been turned into a small hotel.",
    "A new bus route connects the harbour with the university.",
    "The film runs for about {n} minutes and has a surprising ending.",
    "We painted the garden fence {color} and it looks much brighter.",
    "The market in {place} is busiest on {day} mornings.",
    "Please bring a packed lunch and comfortable shoes for the trip.",
    "The printer on the second floor is out of paper again.",
    "Scientists at the observatory photographed a comet over {place}.",
    "The festival in {place} attracts thousands of visitors every {season}.",
    "My grandmother grows {plant} and tomatoes in her greenhouse.",
    "The school choir will perform carols in the town square.",
    "Our internet connection was slow all evening.",
    "The river in {place} froze for the first time in {n} years.",
    "The president of the chess club announced a tournament for {day}.",
    "A video of the parade was shared by the local newspaper.",
    "The photo shows the mountains above {place} covered in snow.",
    "Police closed the {road} road for a few hours after a lorry broke down.",
    "The new phone has a bigger screen and a better camera.",
    "Doctors' surgeries in {place} will close early on {day}.",
    "The supermarket reorganised its aisles and now I cannot find anything.",
    "Water levels in the reservoir are higher than last {season}.",
    "The kids built a sandcastle with a moat and three towers.",
    "The hotel breakfast included fresh fruit, yoghurt and pastries.",
    "He runs {n} kilometres every {day} before work.",
    "The band released their {n}th album after a long break.",
    "Our team meeting covered the budget and the summer schedule.",
    "The garden centre has a sale on {plant} this week.",
]
FILL = {
    "place": [
        "Lisbon",
        "Leeds",
        "Toronto",
        "Osaka",
        "Denver",
        "Cork",
        "Perth",
        "Bergen",
        "Lyon",
        "Austin",
        "Dundee",
        "Porto",
    ],
    "plant": [
        "tulips",
        "roses",
        "basil",
        "sunflowers",
        "lavender",
        "mint",
        "daffodils",
        "ferns",
        "ivy",
        "herbs",
    ],
    "season": ["spring", "summer", "autumn", "winter"],
    "room": ["kitchen", "hallway", "bedroom", "garage", "attic", "study", "living room"],
    "color": ["blue", "green", "yellow", "grey", "red", "white", "orange"],
    "team": [
        "The home side",
        "The visitors",
        "Our local club",
        "The under-16 team",
        "The city team",
    ],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "road": ["north", "south", "east", "west", "river", "old", "main"],
}


class Vocabulary:
    """Words with Zipf-like frequencies: ordinary words first, then made-up ones."""

    def __init__(self, rng: random.Random, size: int = 60_000, exponent: float = 1.1):
        made_up = set()
        while len(made_up) < size - len(COMMON):
            n = rng.choice((2, 2, 3, 3, 4))
            made_up.add("".join(rng.choice(SYLLABLES) for _ in range(n)))
        tail = sorted(made_up)
        rng.shuffle(tail)
        self.words = COMMON + tail
        weights = [1 / (r + 2.7) ** exponent for r in range(len(self.words))]
        self.cum = list(itertools.accumulate(weights))
        self.rng = rng

    def draw(self) -> str:
        return self.words[bisect.bisect(self.cum, self.rng.random() * self.cum[-1])]


def claim_text(rng: random.Random, vocab: Vocabulary) -> str:
    """A health claim of 8-25 words: subject, predicate, condition, then detail."""
    words = [rng.choice(SUBJECTS), rng.choice(PREDICATES), rng.choice(CONDITIONS)]
    if rng.random() < 0.5:
        words += ["in", rng.choice(GROUPS)]
    core = " ".join(words).split()
    target = rng.randint(8, 25)
    extra = []
    while len(core) + len(extra) < target:
        extra.append(vocab.draw())
        if rng.random() < 0.25:
            extra.append(rng.choice(["and", "with", "of", "in", "for", "the", "to"]))
    text = " ".join(core + extra[: max(0, target - len(core))])
    return text[0].upper() + text[1:] + "."


def reword(rng: random.Random, text: str, vocab: Vocabulary, changes: int = 2) -> str:
    """The same claim in other words: a few words replaced or dropped, some moved,
    a phrase around it."""
    words = text.rstrip(".").split()
    for _ in range(changes):
        i = rng.randrange(len(words))
        if rng.random() < 0.5 and len(words) > 6:
            words.pop(i)
        else:
            words[i] = vocab.draw()
    if rng.random() < 0.3 and len(words) > 4:
        i = rng.randrange(1, len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    lead = rng.choice(
        [
            "",
            "",
            "Did you know that",
            "Experts now admit",
            "It turns out",
            "My doctor told me",
            "Studies show",
        ]
    )
    out = " ".join(([lead] if lead else []) + [words[0].lower() if lead else words[0]] + words[1:])
    return out[0].upper() + out[1:] + rng.choice([".", ".", "!"])


def claims(n: int, seed: int = 1) -> list[dict]:
    """`n` claim records as `store.index_rows` returns them; about 10% are near
    duplicates of an earlier claim; each has 0-2 extra phrasings (1 on average)."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    out: list[dict] = []
    for i in range(n):
        if out and rng.random() < 0.1:
            text = reword(rng, rng.choice(out)["text"], vocab, changes=1)
        else:
            text = claim_text(rng, vocab)
        phrasings = [reword(rng, text, vocab) for _ in range(rng.choice((0, 1, 2)))]
        out.append(
            {
                "id": f"g-{i}",
                "verdict": "false",
                "text": text,
                "phrasings": phrasings,
                "required_terms": [],
            }
        )
    return out


def neutral_sentences(n: int, seed: int = 2) -> list[str]:
    """Ordinary sentences that state no health claim."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        template = rng.choice(NEUTRAL)
        out.append(
            template.format(n=rng.randint(2, 40), **{k: rng.choice(v) for k, v in FILL.items()})
        )
    return out


def pages(
    claim_rows: list[dict], count: int, sentences: int = 80, claims_per_page: int = 5, seed: int = 3
) -> list[list[dict]]:
    """Pages as /v1/match segments: mostly ordinary sentences and sentences in the
    database's vocabulary, a few reworded claims among them, in paragraphs."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    out = []
    for _ in range(count):
        lines = []
        for _ in range(sentences - claims_per_page):
            if rng.random() < 0.5:
                lines.append(neutral_sentences(1, rng.randrange(1 << 30))[0])
            else:
                # Topic talk: health words and subjects, no claim.
                words = [vocab.draw() for _ in range(rng.randint(10, 30))]
                words.insert(rng.randrange(len(words)), rng.choice(SUBJECTS))
                text = " ".join(words)
                lines.append(text[0].upper() + text[1:] + ".")
        for _ in range(claims_per_page):
            c = rng.choice(claim_rows)
            lines.insert(rng.randrange(len(lines) + 1), reword(rng, c["text"], vocab))
        paragraphs = [" ".join(lines[i : i + 6]) for i in range(0, len(lines), 6)]
        out.append([{"id": str(i), "text": p} for i, p in enumerate(paragraphs)])
    return out
