(function () {
  var config = __SKAILAN_FORM_CONFIG__;
  var form = document.getElementById("skailan-form-" + config.formId);
  if (!form || form.dataset.skailanReady) { return; }
  form.dataset.skailanReady = "1";
  var message = form.querySelector(".skailan-form-message");
  var button = form.querySelector("button[type=submit]");
  function say(text, isError) {
    message.textContent = text;
    message.hidden = !text;
    message.className = "skailan-form-message" + (isError ? " skailan-form-message-error" : "");
  }
  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".skailan-error"), function (el) { el.textContent = ""; });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    say("", false);
    var data = {page_url: window.location.href};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) { return; }
      if (el.type === "checkbox") { data[el.name] = el.checked; }
      else if (el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else if (el.value !== "") { data[el.name] = el.value; }
    });
    button.disabled = true;
    fetch(config.submitUrl, {method: "POST", headers: {"Content-Type": "application/json"},
                             body: JSON.stringify(data)})
      .then(function (response) {
        return response.json().then(function (body) { return {status: response.status, body: body}; });
      })
      .then(function (result) {
        if (result.status < 300) {
          if (result.body.redirect_url) { window.location.href = result.body.redirect_url; return; }
          form.reset();
          say(result.body.message || config.success, false);
          return;
        }
        var error = result.body.error || {};
        (Array.isArray(error.details) ? error.details : []).forEach(function (detail) {
          var slot = form.querySelector('.skailan-error[data-for="' + detail.field + '"]');
          if (slot) { slot.textContent = detail.message || detail.error; }
        });
        say(error.message || config.failure, true);
      })
      .catch(function () { say(config.failure, true); })
      .then(function () { button.disabled = false; });
  });
})();
