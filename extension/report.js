// The report form: "this flag is wrong" (opened from the card in the page or from the
// popup) and "a claim was missed" (right-click on a selection). It is an extension page,
// so no web page's script can read what the reader types here or press Send for them.
// What it is about waits in the background as a draft; nothing is sent until Send.

const api = globalThis.browser ?? chrome;
const V = globalThis.healthflagsVerdicts;

const MSG_GET_REPORT_DRAFT = "get-report-draft";
const MSG_GET_SETTINGS = "get-settings";
const MSG_SEND_REPORT = "send-report";

const $ = (id) => document.getElementById(id);
const draftId = new URLSearchParams(location.search).get("draft");

async function main() {
  const [{ draft }, { consent }] = await Promise.all([
    draftId ? api.runtime.sendMessage({ type: MSG_GET_REPORT_DRAFT, draftId }) : { draft: null },
    api.runtime.sendMessage({ type: MSG_GET_SETTINGS }),
  ]);
  if (draft?.kind === "wrong_flag") {
    $("heading").textContent = "This flag is wrong";
    document.title = "healthflags: this flag is wrong";
    $("intro").textContent = "Tell the moderators why this passage should not have been flagged, "
      + "or was flagged with the wrong claim.";
    if (draft.claim) {
      $("flag").hidden = false;
      $("flag-verdict").textContent = V.verdictInfo(draft.claim.verdict).label;
      $("flag-claim").textContent = draft.claim.text;
    }
  }
  if (draft) $("passage").value = draft.passage;
  $("include-url").disabled = !draft?.url;
  $("page-url").textContent = draft?.url ? `(${draft.url})` : "";
  if (consent.given) {
    $("where").textContent = `Only what is in this form is sent, to ${consent.serverUrl} where `
      + "moderators review it, and only when you press Send.";
  }
  $("send").addEventListener("click", send);
}

async function send() {
  const passage = $("passage").value.trim();
  const result = $("result");
  if (!passage) {
    result.className = "error";
    result.textContent = "Write or paste the passage first.";
    return;
  }
  $("send").disabled = true;
  const answer = await api.runtime.sendMessage({
    type: MSG_SEND_REPORT, draftId, passage, includeUrl: $("include-url").checked,
    comment: $("comment").value,
  });
  $("send").disabled = answer.ok;
  result.className = answer.ok ? "success" : "error";
  result.textContent = answer.ok ? "Thank you: your report was sent to the moderators."
    : `The report could not be sent: ${answer.error.message}`;
}

main();
