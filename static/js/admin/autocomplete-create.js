// Admin autocomplete boxes (select2) where a name that is not found can be typed to create it.
// The value sent is "new:<name>"; the server finds or creates the object (articles/forms.py).
"use strict";
{
  const $ = django.jQuery;
  const NEW = "new:";

  function init(element) {
    const label = element.dataset.createLabel || "(new)";
    $(element).select2({
      ajax: {
        data: (params) => ({
          term: params.term,
          page: params.page,
          app_label: element.dataset.appLabel,
          model_name: element.dataset.modelName,
          field_name: element.dataset.fieldName,
        }),
      },
      tags: true,
      createTag: (params) => {
        const term = params.term.trim();
        return term ? { id: NEW + term, text: `${term} ${label}`, newTag: true } : null;
      },
    });
  }

  $(() => {
    $(".admin-autocomplete-create").not("[name*=__prefix__]").each((i, element) => init(element));
  });
  document.addEventListener("formset:added", (event) => {
    $(event.target).find(".admin-autocomplete-create").each((i, element) => init(element));
  });
}
