"use strict";
// The approval page of Relaygate's device sign-in. The user code comes from the address Claude Code opened
// (?user_code=), the one-time link from the fragment of the link the operator made (#link=), which browsers never
// send to a server. Nothing is submitted until the person presses a button (RFC 8628 section 5.4).
(function () {
  function linkSecret(text) {
    var value = (text || "").trim();
    var at = value.indexOf("link=");
    return at >= 0 ? value.substring(at + 5) : value;
  }

  function send(approve) {
    var result = document.getElementById("result");
    var body = {
      user_code: document.getElementById("user-code").value.trim(),
      link: linkSecret(document.getElementById("link").value),
      approve: approve
    };
    result.className = "";
    result.textContent = "…";
    fetch("/device/approve", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit"
    }).then(function (r) {
      return r.json().then(function (answer) {
        result.className = answer.ok ? "ok" : "error";
        result.textContent = answer.message;
        if (answer.ok) {
          document.getElementById("approve").disabled = true;
          document.getElementById("deny").disabled = true;
        }
      });
    }).catch(function () {
      result.className = "error";
      result.textContent = "The gateway did not answer; try again.";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var params = new URLSearchParams(window.location.search);
    var code = params.get("user_code");
    if (code) {
      document.getElementById("user-code").value = code;
    }
    var hash = window.location.hash || "";
    if (hash.indexOf("link=") >= 0) {
      document.getElementById("link").value = linkSecret(hash);
      // keep the secret out of the history and of anything that reads the address later
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    document.getElementById("approve-form").addEventListener("submit", function (e) {
      e.preventDefault();
      send(true);
    });
    document.getElementById("deny").addEventListener("click", function () {
      send(false);
    });
    // single sign-on, when the operator set it up: the gateway sends the browser to the identity provider and
    // approves this code when the provider signs the person in
    fetch("/device/sso.json", { credentials: "omit" }).then(function (r) {
      return r.json();
    }).then(function (sso) {
      if (!sso.enabled) {
        return;
      }
      var button = document.getElementById("sso-button");
      button.textContent = "Sign in with " + sso.name;
      document.getElementById("sso").hidden = false;
      button.addEventListener("click", function () {
        var code = document.getElementById("user-code").value.trim();
        var result = document.getElementById("result");
        if (!code) {
          result.className = "error";
          result.textContent = "Enter the code Claude Code shows first.";
          return;
        }
        window.location.assign("/device/sso?user_code=" + encodeURIComponent(code));
      });
    }).catch(function () {
      // no single sign-on offered: the link still works
    });
  });
})();
