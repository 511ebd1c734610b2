"""Demo people: pt-BR names, valid and unique CPFs/CNPJs, +55 51 mobiles, e-mails, consents."""
import unicodedata

from crm.people.choices import PersonStage, PersonType
from crm.people.models import Person
from crm.people.validators import is_valid_cnpj, is_valid_cpf, with_cnpj_check_digits, with_cpf_check_digits

from .catalogue import COMPANY_KINDS, COMPANY_SUFFIXES, EMAIL_DOMAINS, FIRST_NAMES, SURNAMES

COMPANY_SHARE = 0.08
WITHOUT_EMAIL_SHARE = 0.1
CONSENT_SHARES = {"consent_sms": 0.7, "consent_email": 0.55, "consent_whatsapp": 0.8}


def slug(text):
    """ASCII, lower case, no spaces: 'Dalla Costa' -> 'dallacosta'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


class PeopleFactory:
    """Makes unsaved client Person rows; documents and phones never repeat within one load."""

    def __init__(self, rng):
        self.rng = rng
        self.documents = set()
        self.phones = set()

    def cpf(self):
        return with_cpf_check_digits(f"{self.rng.randrange(10**9):09d}")

    def cnpj(self):
        # 0001 is the branch number of a company's head office.
        return with_cnpj_check_digits(f"{self.rng.randrange(10**7, 10**8)}0001")

    def new_document(self, make, is_valid):
        """A document not used yet; check digits alone still allow 111.111.111-11."""
        while True:
            document = make()
            if is_valid(document) and document not in self.documents:
                self.documents.add(document)
                return document

    def mobile_phone(self):
        while True:
            phone = f"+55519{self.rng.randrange(8 * 10**7, 10**8)}"  # 51 9 8xxx-xxxx / 9 9xxx-xxxx
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def email(self, local_part):
        if self.rng.random() < WITHOUT_EMAIL_SHARE:
            return ""
        number = self.rng.choice(("", "", str(self.rng.randrange(1, 100))))
        return f"{local_part}{number}@{self.rng.choice(EMAIL_DOMAINS)}"

    def client(self):
        rng = self.rng
        if rng.random() < COMPANY_SHARE:
            trade_name = f"{rng.choice(COMPANY_KINDS)} {rng.choice(SURNAMES)}"
            person = Person(
                person_type=PersonType.COMPANY, name=f"{trade_name} {rng.choice(COMPANY_SUFFIXES)}",
                trade_name=trade_name, document=self.new_document(self.cnpj, is_valid_cnpj),
                email=self.email(f"contato.{slug(trade_name)}"),
            )
        else:
            first, middle, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES), rng.choice(SURNAMES)
            name = f"{first} {middle} {last}" if rng.random() < 0.7 else f"{first} {last}"
            person = Person(
                person_type=PersonType.NATURAL, name=name,
                document=self.new_document(self.cpf, is_valid_cpf),
                email=self.email(f"{slug(first)}.{slug(last)}"),
            )
        person.stage = PersonStage.CLIENT
        person.mobile_phone = self.mobile_phone()
        for consent, share in CONSENT_SHARES.items():
            setattr(person, consent, rng.random() < share)
        person.consent_email = person.consent_email and bool(person.email)
        return person
