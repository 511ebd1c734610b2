"""What the demo ISP sells and who works and lives in its city: pt-BR demo content.

These are data, not interface text: the names of plans, skills and people are
what a Brazilian ISP would type into the system, so they stay in Portuguese.
"""
import datetime

from billing.choices import ContractStatus
from core.roles import Role
from crm.sales.choices import LeadStage, LostReason, SalesChannelKind
from fieldops.choices import OrderType

# (name, download Mbps, upload Mbps, monthly price in R$)
PLANS = (
    ("Fibra 300 Mega", 300, 150, "89.90"),
    ("Fibra 500 Mega", 500, 250, "99.90"),
    ("Fibra 700 Mega", 700, 350, "119.90"),
    ("Fibra 1 Giga", 1000, 500, "149.90"),
    ("Empresarial 1 Giga + IP fixo", 1000, 1000, "299.90"),
)
HOME_PLAN_WEIGHTS = (40, 30, 18, 12, 0)  # the cheapest plans sell most
BUSINESS_PLAN_WEIGHTS = (5, 10, 10, 25, 50)

CONTRACT_STATUS_WEIGHTS = {
    ContractStatus.ACTIVE: 85,
    ContractStatus.SUSPENDED: 6,
    ContractStatus.AWAITING_INSTALLATION: 4,
    ContractStatus.CANCELLED: 5,
}
DUE_DAYS = (5, 10, 15, 20, 25)

# (username, role, first name, last name); the technicians are tecnico01, tecnico02...
DEMO_USERS = (
    ("admin", Role.ADMIN, "Alexandre", "Moraes"),
    ("despachante", Role.DISPATCHER, "Daniela", "Prates"),
    ("vendedor", Role.SALES, "Vinícius", "Lopes"),
    ("financeiro", Role.BILLING, "Fernanda", "Rocha"),
)
TECHNICIAN_USERNAME = "tecnico{:02d}"
TECHNICIAN_USERNAME_REGEX = r"^tecnico[0-9]{2,}$"

SKILLS = (
    ("fusao", "Fusão de fibra óptica"),
    ("instalacao", "Instalação de cliente"),
    ("reparo", "Diagnóstico e reparo"),
    ("altura", "Trabalho em altura (NR-35)"),
    ("rede", "Manutenção de rede externa"),
    ("equipamentos", "Configuração de ONU e roteador"),
)
# Skill sets of the team, handed out in turn: generalists and specialists.
TECHNICIAN_SKILL_SETS = (
    ("instalacao", "altura", "reparo", "equipamentos"),
    ("reparo", "equipamentos"),
    ("fusao", "rede", "altura", "reparo"),
    ("instalacao", "altura", "equipamentos"),
    ("fusao", "rede", "altura", "instalacao", "reparo", "equipamentos"),
)
SHIFTS = (
    (datetime.time(8), datetime.time(17)),
    (datetime.time(7), datetime.time(16)),
    (datetime.time(9), datetime.time(18)),
)


# What each kind of order needs: share of the orders, minutes on site, skills, priority weights
# (low, normal, high, urgent) and what the client or the NOC wrote when opening it.
ORDER_PROFILES = {
    OrderType.INSTALLATION: (25, 90, ("instalacao", "altura", "equipamentos"), (5, 70, 25, 0), (
        "Instalação de fibra, plano {plan}. Cliente prefere contato por WhatsApp.",
        "Nova instalação, plano {plan}. Passar drop pela fachada.",
        "Instalação {plan}; roteador no escritório do segundo andar.",
    )),
    OrderType.REPAIR: (40, 60, ("reparo",), (5, 45, 35, 15), (
        "Cliente sem conexão, LED LOS vermelho na ONU.",
        "Internet lenta à noite, testes abaixo de 30% do plano.",
        "Quedas frequentes de conexão desde o temporal.",
        "Drop rompido em frente ao imóvel.",
        "ONU reiniciando sozinha várias vezes ao dia.",
    )),
    OrderType.MAINTENANCE: (10, 120, ("rede", "fusao", "altura"), (20, 50, 25, 5), (
        "Sinal óptico baixo na caixa {box}: medir e refazer fusões.",
        "Reorganizar cordões e conectores da caixa {box}.",
        "Trocar tampa danificada da caixa {box}.",
    )),
    OrderType.VISIT: (15, 30, ("reparo",), (30, 60, 10, 0), (
        "Cliente quer mudar o roteador de cômodo.",
        "Wi-Fi fraco nos quartos: avaliar repetidor.",
        "Orientar cliente sobre a rede Wi-Fi 5 GHz.",
    )),
    OrderType.REMOVAL: (10, 40, ("altura",), (60, 40, 0, 0), (
        "Contrato cancelado: retirar ONU e drop.",
        "Recolher equipamento em comodato após cancelamento.",
    )),
}
# Time windows clients choose (hours, local time): a morning, an afternoon or two hours.
WINDOWS = ((8, 12), (13, 18), (8, 10), (10, 12), (13, 15), (15, 17))
WINDOW_WEIGHTS = (35, 35, 8, 8, 7, 7)

FIRST_NAMES = (
    "Ana", "Beatriz", "Bruna", "Camila", "Carla", "Clara", "Daniela", "Eduarda", "Fernanda",
    "Gabriela", "Helena", "Isabela", "Júlia", "Larissa", "Laura", "Letícia", "Luana", "Mariana",
    "Natália", "Patrícia", "Rafaela", "Sofia", "Tatiane", "Valentina", "Vitória", "Alice",
    "Cecília", "Lorena", "Manuela", "Yasmin", "Rosângela", "Sandra", "Vera", "Lúcia",
    "André", "Antônio", "Arthur", "Bernardo", "Bruno", "Carlos", "Daniel", "Diego", "Eduardo",
    "Felipe", "Fernando", "Gabriel", "Gustavo", "Heitor", "João", "José", "Leonardo", "Lucas",
    "Luiz", "Marcelo", "Mateus", "Miguel", "Paulo", "Pedro", "Rafael", "Ricardo", "Rodrigo",
    "Samuel", "Thiago", "Vinícius", "Davi", "Lorenzo", "Otávio", "Renato", "Sérgio", "Jorge",
)
SURNAMES = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
    "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
    "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira",
    "Becker", "Schmidt", "Müller", "Weber", "Schneider", "Fischer", "Rossi", "Bianchi", "Ferrari",
    "Fontana", "Zanella", "Bortolini", "Pires", "Farias", "Prates", "Kraemer", "Hoffmann",
    "Dalla Costa", "Scherer", "Bittencourt", "Flores", "Camargo", "Brum", "Fagundes", "Borges",
)
COMPANY_KINDS = (
    "Comércio", "Serviços", "Consultoria", "Restaurante", "Padaria", "Farmácia", "Auto Center",
    "Clínica", "Advocacia", "Contabilidade", "Mercado", "Estúdio", "Pet Shop", "Imobiliária",
    "Ferragem", "Academia", "Odontologia", "Papelaria",
)
COMPANY_SUFFIXES = ("Ltda", "Ltda", "ME", "EIRELI", "S.A.")
# RFC 2606 domains: demo people must never receive real e-mail.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

# Neighbourhoods of Porto Alegre (approximate centres, lon/lat). The extract has no
# place nodes and almost no addr:suburb tags, so each address takes the nearest one.
NEIGHBOURHOODS = (
    ("Centro Histórico", -51.230, -30.030), ("Cidade Baixa", -51.222, -30.040),
    ("Bom Fim", -51.213, -30.032), ("Moinhos de Vento", -51.202, -30.024),
    ("Petrópolis", -51.183, -30.040), ("Menino Deus", -51.223, -30.052),
    ("Santana", -51.207, -30.047), ("Rio Branco", -51.195, -30.030),
    ("Mont'Serrat", -51.190, -30.025), ("Auxiliadora", -51.190, -30.017),
    ("Higienópolis", -51.186, -30.010), ("São João", -51.180, -29.998),
    ("Floresta", -51.214, -30.018), ("Navegantes", -51.205, -30.000),
    ("São Geraldo", -51.205, -30.010), ("Partenon", -51.175, -30.060),
    ("Azenha", -51.213, -30.055), ("Santo Antônio", -51.195, -30.063),
    ("Glória", -51.190, -30.080), ("Teresópolis", -51.205, -30.085),
    ("Cristal", -51.235, -30.085), ("Medianeira", -51.210, -30.070),
    ("Jardim Botânico", -51.175, -30.050), ("Bela Vista", -51.185, -30.035),
    ("Três Figueiras", -51.165, -30.030), ("Chácara das Pedras", -51.160, -30.040),
    ("Passo d'Areia", -51.160, -30.010), ("Jardim Lindóia", -51.155, -30.000),
    ("Sarandi", -51.135, -29.990), ("Cavalhada", -51.222, -30.100),
    ("Camaquã", -51.230, -30.105), ("Vila Nova", -51.200, -30.110),
    ("Bom Jesus", -51.150, -30.050), ("Jardim Carvalho", -51.145, -30.060),
    ("Agronomia", -51.140, -30.070), ("Praia de Belas", -51.230, -30.050),
    ("Farroupilha", -51.215, -30.035), ("Independência", -51.210, -30.028),
    ("Jardim São Pedro", -51.160, -30.020), ("Cristo Redentor", -51.165, -30.005),
)
CITY, STATE = "Porto Alegre", "RS"
# Porto Alegre's CEPs run from 90000-000 to 91999-999; streets get one of their own.
CEP_PREFIX_RANGE = (90010, 91999)

OLT_MODELS = ("Huawei MA5800-X7", "ZTE C600", "Nokia ISAM FX-8", "Fiberhome AN6000-7")

# --- Sales and collection -------------------------------------------------------------------

# (name, kind, allowed origins of the public viability widget)
SALES_CHANNELS = (
    ("Site", SalesChannelKind.WEBSITE, ("http://127.0.0.1:8000", "http://localhost:8000")),
    ("Loja Centro", SalesChannelKind.STORE, ()),
    ("Porta a porta", SalesChannelKind.DOOR_TO_DOOR, ()),
    ("Telefone", SalesChannelKind.PHONE, ()),
)
SALES_TEAM = "Equipe Porto Alegre"
# Leads per stage; the channel weights follow the channel order above.
LEAD_STAGE_COUNTS = {
    LeadStage.NEW: 20, LeadStage.CONTACTED: 16, LeadStage.PROPOSAL_SENT: 10, LeadStage.LOST: 14,
}
LEAD_CHANNEL_WEIGHTS = (35, 25, 25, 15)
LOST_REASONS = (
    (LostReason.PRICE, "Achou caro; pediu para ligar se houver promoção."),
    (LostReason.PRICE, "Orçamento apertado este mês."),
    (LostReason.COMPETITOR, "Fechou com a operadora do condomínio."),
    (LostReason.COMPETITOR, "Ficou com o combo de TV e internet de outra empresa."),
    (LostReason.NO_RESPONSE, "Não atendeu após três tentativas."),
    (LostReason.NO_RESPONSE, "Não respondeu ao WhatsApp nem ao e-mail."),
    (LostReason.NOT_INTERESTED, "Só queria saber o preço."),
    (LostReason.NO_COVERAGE, "Endereço fora da área de cobertura."),
)
LEAD_NOTES = {
    LeadStage.NEW: (
        "Pediu contato pelo site.", "Ligar depois das 18h.", "Quer saber se tem Wi-Fi 6.",
        "Vizinho é cliente e indicou.", "", "",
    ),
    LeadStage.CONTACTED: (
        "Conversamos por telefone; quer comparar com a operadora atual.",
        "Visitou a loja; levou o folheto dos planos.", "Pediu proposta para home office.",
        "Contrato atual vence no fim do mês.", "Quer instalação num sábado.",
    ),
    LeadStage.PROPOSAL_SENT: (
        "Proposta enviada; aguardando retorno.", "Pediu desconto de fidelidade.",
        "Vai decidir com a família no fim de semana.",
    ),
    LeadStage.LOST: ("",),
}
# Goals of this month: (target sales, target revenue in R$ a month).
GOAL_REP = (30, "3000.00")
GOAL_TEAM = (40, "4000.00")
GOAL_STORE = (15, "1500.00")
# (name, percent of the monthly value or None, fixed amount or None, plan name or None)
COMMISSION_RULES = (
    ("Comissão padrão: 50% da mensalidade", "50.00", None, None),
    ("Plano empresarial: valor fixo", None, "150.00", "Empresarial 1 Giga + IP fixo"),
)

# The demo's bank wallet (Itaú, carteira 109) and its dunning rules (régua de cobrança).
DEMO_WALLET = {
    "name": "Itaú 109 (demonstração)", "bank": "341", "agency": "1565", "account": "13877",
    "wallet_code": "109", "pix_key": "financeiro@malha.example.com",
    "merchant_name": "Malha Telecom", "merchant_city": "Porto Alegre",
}
# (name, days from the due date, channels, e-mail subject, message)
DUNNING_RULES = (
    (
        "Lembrete 3 dias antes do vencimento", -3, ("email",), "Sua fatura {invoice} vence em {due_date}",
        "Olá, {first_name}!\n\nA fatura {invoice} do contrato {contract}, de {amount}, vence em "
        "{due_date}.\n\nLinha digitável: {typeable_line}\nPIX copia e cola: {pix_code}\n"
        "Fatura em PDF: {invoice_link}\n\nSe já pagou, desconsidere esta mensagem.",
    ),
    (
        "Aviso 1 dia após o vencimento", 1, ("sms",), "",
        "Malha: a fatura {invoice} venceu em {due_date}. Para pagar hoje ({amount_due}): {invoice_link}",
    ),
    (
        "Cobrança 10 dias após o vencimento", 10, ("email",), "Fatura {invoice} em atraso",
        "Olá, {first_name}.\n\nA fatura {invoice} do contrato {contract} venceu em {due_date} e está "
        "em aberto há {days_late} dias. Para pagar hoje: {amount_due} (com multa e juros).\n\n"
        "Linha digitável: {typeable_line}\nPIX copia e cola: {pix_code}\n"
        "Fatura em PDF: {invoice_link}\n\nPrecisa negociar? Responda este e-mail ou ligue para a loja.",
    ),
)
