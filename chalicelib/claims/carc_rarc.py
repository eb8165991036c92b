"""The code lists an 835 speaks in, kept as versioned data so a biller reads the payer's words
rather than bare codes, and a code-list update is a data change with a new version.

- CARC: Claim Adjustment Reason Codes (CAS02/05/08..., TR3 005010X221A1 Loops 2100 and 2110).
- RARC: Remittance Advice Remark Codes (MOA03-07, MIA05/20-24 in Loop 2100; LQ*HE in 2110).
- CLAIM_STATUS_CODES: CLP02 values the TR3 allows in Loop 2100.
- GROUP_CODES: CAS01, who owes the adjustment.

CARC and RARC texts are the X12 external code lists (x12.org/codes/claim-adjustment-reason-codes
and .../remittance-advice-remark-codes) as retrieved on 2026-08-17, checked against a second
copy of the CARC list and against payer and MAC pages for single codes. Each text is the
published description without its "Usage:" note, which instructs payers, not billers. Only
codes whose text was checked are listed: an unknown code describes as None, never as a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# The list publication in force when the texts were retrieved (2026-08-17); X12 publishes
# CARC/RARC updates three times a year.
CARC_VERSION = "2026-07-01"
RARC_VERSION = "2026-07-01"

_REMARK_REQUIRED = (
    "At least one Remark Code must be provided (may be comprised of either the NCPDP Reject "
    "Reason Code, or Remittance Advice Remark Code that is not an ALERT.)"
)

CARC: Mapping[str, str] = MappingProxyType(
    {
        "1": "Deductible Amount",
        "2": "Coinsurance Amount",
        "3": "Co-payment Amount",
        "4": "The procedure code is inconsistent with the modifier used.",
        "5": "The procedure code/type of bill is inconsistent with the place of service.",
        "6": "The procedure/revenue code is inconsistent with the patient's age.",
        "11": "The diagnosis is inconsistent with the procedure.",
        "15": (
            "The authorization number is missing, invalid, or does not apply to the billed "
            "services or provider."
        ),
        "16": "Claim/service lacks information or has submission/billing error(s).",
        "18": (
            "Exact duplicate claim/service (Use only with Group Code OA except where state "
            "workers' compensation regulations requires CO)"
        ),
        "22": "This care may be covered by another payer per coordination of benefits.",
        "23": (
            "The impact of prior payer(s) adjudication including payments and/or adjustments. "
            "(Use only with Group Code OA)"
        ),
        "24": "Charges are covered under a capitation agreement/managed care plan.",
        "26": "Expenses incurred prior to coverage.",
        "27": "Expenses incurred after coverage terminated.",
        "29": "The time limit for filing has expired.",
        "31": "Patient cannot be identified as our insured.",
        "39": "Services denied at the time authorization/pre-certification was requested.",
        "42": "Charges exceed our fee schedule or maximum allowable amount. (Use CARC 45)",
        "45": (
            "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee "
            "arrangement."
        ),
        "49": (
            "This is a non-covered service because it is a routine/preventive exam or a "
            "diagnostic/screening procedure done in conjunction with a routine/preventive exam."
        ),
        "50": (
            "These are non-covered services because this is not deemed a 'medical necessity' "
            "by the payer."
        ),
        "59": (
            "Processed based on multiple or concurrent procedure rules. (For example multiple "
            "surgery or diagnostic imaging, concurrent anesthesia.)"
        ),
        "91": "Dispensing fee adjustment.",
        "94": "Processed in Excess of charges.",
        "96": f"Non-covered charge(s). {_REMARK_REQUIRED}",
        "97": (
            "The benefit for this service is included in the payment/allowance for another "
            "service/procedure that has already been adjudicated."
        ),
        "104": "Managed care withholding.",
        "109": (
            "Claim/service not covered by this payer/contractor. You must send the "
            "claim/service to the correct payer/contractor."
        ),
        "119": "Benefit maximum for this time period or occurrence has been reached.",
        "129": f"Prior processing information appears incorrect. {_REMARK_REQUIRED}",
        "140": "Patient/Insured health identification number and name do not match.",
        "141": "Claim spans eligible and ineligible periods of coverage.",
        "142": "Monthly Medicaid patient liability amount.",
        "146": "Diagnosis was invalid for the date(s) of service reported.",
        "151": (
            "Payment adjusted because the payer deems the information submitted does not "
            "support this many/frequency of services."
        ),
        "165": "Referral absent or exceeded.",
        "167": "This (these) diagnosis(es) is (are) not covered.",
        "170": "Payment is denied when performed/billed by this type of provider.",
        "185": "The rendering provider is not eligible to perform the service billed.",
        "197": "Precertification/authorization/notification/pre-treatment absent.",
        "198": "Precertification/notification/authorization/pre-treatment exceeded.",
        "204": (
            "This service/equipment/drug is not covered under the patient's current benefit plan"
        ),
        "226": (
            "Information requested from the Billing/Rendering Provider was not provided or not "
            f"provided timely or was insufficient/incomplete. {_REMARK_REQUIRED}"
        ),
        "227": (
            "Information requested from the patient/insured/responsible party was not provided "
            f"or was insufficient/incomplete. {_REMARK_REQUIRED}"
        ),
        "234": f"This procedure is not paid separately. {_REMARK_REQUIRED}",
        "242": "Services not provided by network/primary care providers.",
        "251": (
            "The attachment/other documentation that was received was incomplete or deficient. "
            "The necessary information is still needed to process the claim. At least one "
            "Remark Code must be provided (may be comprised of either the NCPDP Reject Reason "
            "Code, or Remittance Advice Remark Code that is not an ALERT)."
        ),
        "253": "Sequestration - reduction in federal payment",
        "A1": f"Claim/Service denied. {_REMARK_REQUIRED}",
        "A2": "Contractual adjustment.",
    }
)

# Retired by X12 but still on remittances for old dates of service and in old files: kept so
# the description still shows, flagged so nothing new is built on them.
DEACTIVATED_CARC: frozenset[str] = frozenset({"15", "42", "141", "165", "A2"})

RARC: Mapping[str, str] = MappingProxyType(
    {
        "M15": (
            "Separately billed services/tests have been bundled as they are considered "
            "components of the same procedure. Separate payment is not allowed."
        ),
        "M20": "Missing/incomplete/invalid HCPCS.",
        "M51": "Missing/incomplete/invalid procedure code(s).",
        "M76": "Missing/incomplete/invalid diagnosis or condition.",
        "M80": (
            "Not covered when performed during the same session/date as a previously processed "
            "service for the patient."
        ),
        "MA01": (
            "Alert: If you do not agree with what we approved for these services, you may "
            "appeal our decision. To make sure that we are fair to you, we require another "
            "individual that did not process your initial claim to conduct the appeal. However, "
            "in order to be eligible for an appeal, you must write to us within 120 days of the "
            "date you received this notice, unless you have a good reason for being late."
        ),
        "MA02": (
            "Alert: If you do not agree with this determination, you have the right to appeal. "
            "You must file a written request for an appeal within 180 days of the date you "
            "receive this notice."
        ),
        "MA04": (
            "Secondary payment cannot be considered without the identity of or payment "
            "information from the primary payer. The information was either not reported or "
            "was illegible."
        ),
        "MA07": "Alert: The claim information has also been forwarded to Medicaid for review.",
        "MA18": (
            "Alert: The claim information is also being forwarded to the patient's supplemental "
            "insurer. Send any questions regarding supplemental benefits to them."
        ),
        "MA19": (
            "Alert: Information was not sent to the Medigap insurer due to incorrect/invalid "
            "information you submitted concerning that insurer. Please verify your information "
            "and submit your secondary claim directly to that insurer."
        ),
        "MA92": "Missing plan information for other insurance.",
        "MA130": (
            "Your claim contains incomplete and/or invalid information, and no appeal rights are "
            "afforded because the claim is unprocessable. Please submit a new claim with the "
            "complete/correct information."
        ),
        "N1": (
            "Alert: You may appeal this decision in writing within the required time limits "
            "following receipt of this notice by following the instructions included in your "
            "contract, plan benefit documents or jurisdiction statutes. Refer to the URL "
            "provided in the ERA for the payer website to access the appeals process guidelines."
        ),
        "N4": "Missing/Incomplete/Invalid prior Insurance Carrier(s) EOB.",
        "N19": "Procedure code incidental to primary procedure.",
        "N20": "Service not payable with other service rendered on the same date.",
        "N30": "Patient ineligible for this service.",
        "N36": (
            "Claim must meet primary payer's processing requirements before we can consider "
            "payment."
        ),
        "N89": (
            "Alert: Payment information for this claim has been forwarded to more than one "
            "other payer, but format limitations permit only one of the secondary payers to be "
            "identified in this remittance advice."
        ),
        "N115": (
            "This decision was based on a Local Coverage Determination (LCD). An LCD provides a "
            "guide to assist in determining whether a particular item or service is covered. A "
            "copy of this policy is available at www.cms.gov/mcd, or if you do not have web "
            "access, you may contact the contractor to request a copy of the LCD."
        ),
        "N130": (
            "Consult plan benefit documents/guidelines for information about restrictions for "
            "this service."
        ),
        "N206": "The supporting documentation does not match the information sent on the claim.",
        "N290": "Missing/incomplete/invalid rendering provider primary identifier.",
        "N362": "The number of Days or Units of Service exceeds our acceptable maximum.",
        "N381": (
            "Alert: Consult our contractual agreement for restrictions/billing/payment "
            "information related to these charges."
        ),
        "N419": (
            "Claim payment was the result of a payer's retroactive adjustment due to a "
            "retroactive rate change."
        ),
        "N432": "Alert: Adjustment based on a Recovery Audit.",
        "N479": (
            "Missing Explanation of Benefits (Coordination of Benefits or Medicare Secondary "
            "Payer)."
        ),
        "N522": "Duplicate of a claim processed, or to be processed, as a crossover claim.",
        "N689": "Alert: This reversal is due to a retroactive rate change.",
    }
)

# CLP02 Claim Status Code (data element 1029), the values TR3 005010X221A1 allows in Loop 2100.
CLAIM_STATUS_CODES: Mapping[str, str] = MappingProxyType(
    {
        "1": "Processed as Primary",
        "2": "Processed as Secondary",
        "3": "Processed as Tertiary",
        "4": "Denied",
        "19": "Processed as Primary, Forwarded to Additional Payer(s)",
        "20": "Processed as Secondary, Forwarded to Additional Payer(s)",
        "21": "Processed as Tertiary, Forwarded to Additional Payer(s)",
        "22": "Reversal of Previous Payment",
        "23": "Not Our Claim, Forwarded to Additional Payer(s)",
        "25": "Predetermination Pricing Only - No Payment",
    }
)

# CAS01 Claim Adjustment Group Code. CR is not in the 005010 TR3 (a reversal repeats the
# original group codes with negated amounts, section 1.10.2.8), but older payers still send it.
GROUP_CODES: Mapping[str, str] = MappingProxyType(
    {
        "CO": "Contractual Obligations",
        "CR": "Corrections and Reversals",
        "OA": "Other Adjustments",
        "PI": "Payer Initiated Reductions",
        "PR": "Patient Responsibility",
    }
)


def describe_carc(code: str) -> str | None:
    """The CARC's published description; None for a code not in the table."""
    return CARC.get(code.strip().upper())


def describe_rarc(code: str) -> str | None:
    """The RARC's published description; None for a code not in the table."""
    return RARC.get(code.strip().upper())
