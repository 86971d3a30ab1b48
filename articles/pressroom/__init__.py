"""The press room: what journalists and partners take away from the site.

- ``kit``: an article's press kit, its original images, a ZIP of them with the release as text,
  and a PDF of the release laid out like the page, kept per version of what they show;
- ``library``: the public media library (图片库), every published image, searchable, in pages that
  stay fast however many images there are; albums editors curate;
- ``views``: the pages and downloads of both.
"""
