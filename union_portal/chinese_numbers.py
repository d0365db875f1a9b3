"""Amounts in Chinese capital figures (大写金额), as agreements, receipts and cheques write them.

`amount_in_capitals(Decimal("12000"))` is 壹万贰仟元整; `amount_in_capitals(Decimal("1000001.01"))` is
壹佰万零壹元零壹分. The rules are those of the People's Bank's 《支付结算办法》 (附件一, 正确填写票据和结算凭证的基本规定):

- a run of zeros inside the number is written as one 零 (1,000,001 is 壹佰万零壹元), also across the
  万 and 亿 sections; a zero at the end of a section is not written;
- 元 is followed by 整 when there are no 角 or 分; with 分 but no 角 a 零 stands for the 角 (10.05: 壹拾元零伍分);
- 拾 is always preceded by its digit (10 is 壹拾元, never 拾元).
"""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")  # within a section of four digits
SECTIONS = ("", "万", "亿", "万亿")  # every four digits
LARGEST = Decimal("9999999999999999.99")  # 万亿 sections: enough for any DecimalField(max_digits=18)
CENT = Decimal("0.01")


def amount_in_capitals(amount) -> str:
    """The amount in 元, rounded to the 分, in capital figures; a negative amount is written with 负."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if value < 0:
        return "负" + amount_in_capitals(-value)
    if value > LARGEST:
        raise ValueError(f"{amount} is too large to write in capital figures")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan == 0 and jiao == 0 and fen == 0:
        return "零元整"
    text = _yuan_text(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"  # 10.05: 壹拾元零伍分
    if fen:
        text += DIGITS[fen] + "分"
    return text


def _yuan_text(yuan: int) -> str:
    """The whole 元 (above zero) in capital figures, without the unit."""
    sections = []
    while yuan:
        yuan, section = divmod(yuan, 10_000)
        sections.append(section)
    text = ""
    zero_pending = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            zero_pending = bool(text)
            continue
        if text and (zero_pending or section < 1000):
            text += "零"
        text += _section_text(section) + SECTIONS[index]
        zero_pending = False
    return text


def _section_text(section: int) -> str:
    """Four digits or fewer (above zero): 1010 is 壹仟零壹拾, 1001 is 壹仟零壹, 100 is 壹佰."""
    digits = [section // 1000, section // 100 % 10, section // 10 % 10, section % 10]
    text = ""
    zero_pending = False
    for position, digit in enumerate(digits):
        if digit == 0:
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += "零"
        text += DIGITS[digit] + PLACES[3 - position]
        zero_pending = False
    return text
