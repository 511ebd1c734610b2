"""The NFCom (model 62) / NFS-e XML of an invoice: a pure function of the invoice's data.

The document follows the NFCom layout's main groups (ide, emit, dest, det, total);
signing and validation against the tax authority's XSD come with transmission.
"""

from xml.etree import ElementTree

NFCOM_NAMESPACE = "http://www.portalfiscal.inf.br/nfcom"
NFCOM_MODEL = "62"


def _add(parent, tag, text=None, **attributes):
    element = ElementTree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = str(text)
    return element


def fiscal_xml(*, kind, series, number, issued_at, issuer_cnpj, issuer_name, client_name,
               client_document, lines, total):
    """`lines` are (description, amount) pairs; money is rendered with two decimals."""
    root = ElementTree.Element("NFCom" if kind == "nfcom" else "NFSe", {"xmlns": NFCOM_NAMESPACE})
    info = _add(root, "infNFCom" if kind == "nfcom" else "infNFSe", versao="1.00")
    ide = _add(info, "ide")
    if kind == "nfcom":
        _add(ide, "mod", NFCOM_MODEL)
    _add(ide, "serie", series)
    _add(ide, "nNF", number)
    _add(ide, "dhEmi", issued_at.isoformat(timespec="seconds"))
    emit = _add(info, "emit")
    _add(emit, "CNPJ", issuer_cnpj)
    _add(emit, "xNome", issuer_name)
    dest = _add(info, "dest")
    _add(dest, "xNome", client_name)
    _add(dest, "CPF" if len(client_document) == 11 else "CNPJ", client_document)
    for item, (description, amount) in enumerate(lines, start=1):
        prod = _add(_add(info, "det", nItem=str(item)), "prod")
        _add(prod, "xProd", description)
        _add(prod, "vProd", f"{amount:.2f}")
    _add(_add(info, "total"), "vNF", f"{total:.2f}")
    return ElementTree.tostring(root, encoding="unicode")
