"""Pools the generated orders draw from: enough variety that searches and facets have work to do."""

from decimal import Decimal

FIRST_NAMES = ("Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret",
               "Tim", "Radia", "Ken", "Dennis", "Linus", "Guido", "Hedy", "Claude", "Karen", "Niklaus",
               "Leslie", "Sophie", "Bjarne", "Anita", "Marvin", "Jean", "Shafi", "Silvio", "Whitfield", "Lynn")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy",
              "Hamilton", "Berners-Lee", "Perlman", "Thompson", "Ritchie", "Torvalds", "van Rossum", "Lamarr",
              "Shannon", "Jones", "Wirth", "Lamport", "Wilson", "Stroustrup", "Borg", "Minsky", "Sammet",
              "Goldwasser", "Micali", "Diffie", "Conway")
ADJECTIVES = ("Mechanical", "Wireless", "Ergonomic", "Compact", "Portable", "Silent", "Rugged", "Classic",
              "Smart", "Foldable", "Premium", "Budget", "Vintage", "Modular", "Solar")
NOUNS = ("Keyboard", "Mouse", "Monitor", "Headphones", "Webcam", "Desk Lamp", "Laptop Stand", "Charger",
         "Speaker", "Microphone", "Router", "Tablet", "Backpack", "Notebook", "Chair", "Docking Station",
         "Cable", "Power Bank", "Printer", "Scanner")
CITIES = (("Berlin", "10115", "DE"), ("Paris", "75001", "FR"), ("Amsterdam", "1011", "NL"), ("Vienna", "1010", "AT"),
          ("Madrid", "28001", "ES"), ("Rome", "00118", "IT"), ("Lisbon", "1100", "PT"), ("Warsaw", "00-001", "PL"),
          ("Prague", "11000", "CZ"), ("Copenhagen", "1050", "DK"), ("Stockholm", "11120", "SE"),
          ("Dublin", "D01", "IE"), ("Brussels", "1000", "BE"), ("Zurich", "8001", "CH"), ("Oslo", "0150", "NO"))
STREETS = ("Main Street", "Station Road", "Harbour Lane", "Market Square", "Park Avenue", "Mill Road")
CARRIERS = ("DHL", "UPS", "DPD", "GLS", "FedEx")
NOTES = ("leave at the door", "gift wrap please", "call before delivery", "fragile", "office delivery")
CANCEL_REASONS = ("customer changed their mind", "found a better price", "ordered by mistake", "delivery too slow")


def product(number: int) -> tuple[str, str, Decimal]:
    """Product ``number`` of the catalog (it repeats after len(ADJECTIVES) * len(NOUNS)): id, name and price."""
    adjective = ADJECTIVES[number % len(ADJECTIVES)]
    noun = NOUNS[(number // len(ADJECTIVES)) % len(NOUNS)]
    cents = 199 + (number * 7919) % 49_800
    return f"P-{number % (len(ADJECTIVES) * len(NOUNS)):04d}", f"{adjective} {noun}", Decimal(cents) / 100


def customer(number: int) -> tuple[str, str, str]:
    """Customer ``number``: id, name and email."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]
    email = f"{first}.{last}.{number}@example.com".lower().replace(" ", "").replace("-", "")
    return f"BC-{number}", f"{first} {last}", email


PRODUCT_COUNT = len(ADJECTIVES) * len(NOUNS)
